/// Conversions and arithmetic on values that came from outside (a scenario, an API body, a fleet
/// worker): they saturate at the type's bounds instead of trapping, and NaN maps to zero, so no
/// input can crash an engine thread. `Int`'s add and subtract are public: the federation's capacity
/// split combines worker-sent numbers the same way.
extension UInt64 {
    /// `value` rounded down, clamped to `0...UInt64.max`; NaN is 0.
    @inline(__always) init(saturating value: Double) {
        if !(value > 0) {
            self = 0
        } else if value >= 18_446_744_073_709_549_568 {   // the largest Double below 2^64
            self = .max
        } else {
            self = UInt64(value)
        }
    }

    @inline(__always) func saturatingAdd(_ other: UInt64) -> UInt64 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? .max : sum
    }

    @inline(__always) func saturatingMultiply(_ other: UInt64) -> UInt64 {
        let (product, overflow) = multipliedReportingOverflow(by: other)
        return overflow ? .max : product
    }
}

extension Int {
    /// `value` rounded down, clamped to `Int.min...Int.max`; NaN is 0.
    @inline(__always) init(saturating value: Double) {
        if value.isNaN {
            self = 0
        } else if value >= 9_223_372_036_854_774_784 {   // the largest Double below 2^63
            self = .max
        } else if value <= -9_223_372_036_854_775_808 {
            self = .min
        } else {
            self = Int(value)
        }
    }

    /// `self + other`, held at `Int.max`/`Int.min` instead of trapping.
    @inline(__always) public func saturatingAdd(_ other: Int) -> Int {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : sum
    }

    @inline(__always) public func saturatingSubtract(_ other: Int) -> Int {
        let (difference, overflow) = subtractingReportingOverflow(other)
        return overflow ? (other < 0 ? .max : .min) : difference
    }
}

extension Double {
    /// `self` clamped to `low...high`; NaN is `low`.
    @inline(__always) func clamped(_ low: Double, _ high: Double) -> Double {
        if !(self > low) { return low }
        return self < high ? self : high
    }
}
