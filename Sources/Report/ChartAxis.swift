/// One axis of a chart: the span it covers and where its labelled ticks go, on round steps (1, 2 or 5 times a
/// power of ten) so a reader can interpolate by eye.
struct ChartAxis {
    let lower: Double
    let upper: Double
    let ticks: [Double]
    /// Positions by the logarithm of the value (`logarithmic`): `lower` and `upper` are log10s.
    var isLogarithmic = false

    /// A value axis from 0 to the first round tick at or above `maximum`, in about four steps.
    /// All-zero (or empty) data still gets an axis from 0 to 1, never one of zero height.
    static func fromZero(to maximum: Double) -> ChartAxis {
        guard maximum.isFinite, maximum > 1e-9 else { return ChartAxis(lower: 0, upper: 1, ticks: [0, 1]) }
        // Rounding up this near Double's limit could overflow to infinity; no real figure gets here.
        guard maximum < 1e300 else { return ChartAxis(lower: 0, upper: maximum, ticks: [0, maximum]) }
        let step = roundStep(atLeast: maximum / 4)
        let steps = Int((maximum / step).rounded(.up))
        // Each tick is computed from its index, not by adding steps, so float error cannot pile up.
        return ChartAxis(lower: 0, upper: Double(steps) * step, ticks: (0...steps).map { Double($0) * step })
    }

    /// A time axis over the run's seconds from `first` to `last`, ticks on round whole seconds.
    /// A single second is drawn over a span of one, so positions never divide by zero.
    static func seconds(from first: Int, to last: Int) -> ChartAxis {
        let upper = max(last, first + 1)
        let step = max(1, Int(roundStep(atLeast: Double(upper - first) / 6)))
        let firstTick = Int((Double(first) / Double(step)).rounded(.up)) * step
        let ticks = stride(from: firstTick, through: upper, by: step).map(Double.init)
        return ChartAxis(lower: Double(first), upper: Double(upper), ticks: ticks)
    }

    /// The smallest of 1, 2 or 5 times a power of ten that is at least `rough`; 1 when `rough` is too small,
    /// not positive or not finite to step by.
    static func roundStep(atLeast rough: Double) -> Double {
        guard rough.isFinite, rough > 1e-12 else { return 1 }
        var magnitude = 1.0
        while magnitude * 10 <= rough { magnitude *= 10 }
        while magnitude > rough { magnitude /= 10 }
        for multiple in [1.0, 2, 5] where multiple * magnitude >= rough { return multiple * magnitude }
        return 10 * magnitude
    }

    /// Where `value` falls between `lower` (0) and `upper` (1).
    func fraction(_ value: Double) -> Double {
        guard isLogarithmic else { return (value - lower) / (upper - lower) }
        return (Self.log10(value) - lower) / (upper - lower)
    }
}
