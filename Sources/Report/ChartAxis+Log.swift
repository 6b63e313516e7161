import Glibc

extension ChartAxis {
    /// A log10 value axis over the positive `values`, from the power of ten at or below the least
    /// to the one at or above the greatest, a tick on each power. Values at or below 0 have no place
    /// on it and sit on its floor. Without positive values: 1 to 10.
    static func logarithmic(_ values: [Double]) -> ChartAxis {
        let positive = values.filter { $0 > 0 && $0.isFinite }
        guard let least = positive.min(), let greatest = positive.max() else {
            return ChartAxis(lower: 0, upper: 1, ticks: [1, 10], isLogarithmic: true)
        }
        let low = min(max(Glibc.floor(log10(least)), -6), 12)
        let high = max(Glibc.ceil(log10(greatest)), low + 1)
        let ticks = stride(from: low, through: min(high, low + 18), by: 1).map { Glibc.pow(10, $0) }
        return ChartAxis(lower: low, upper: high, ticks: ticks, isLogarithmic: true)
    }

    /// log10, with values at or below 0 clamped to a millionth (the axis floor at its lowest).
    static func log10(_ value: Double) -> Double {
        Glibc.log10(max(value, 1e-6))
    }
}
