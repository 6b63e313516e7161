/// Number formatting without Foundation: `String(format:)` would pull Foundation into every renderer,
/// and fixed decimals keep columns and CSV cells stable from one run to the next.

/// `v` with exactly `decimals` digits after the point, rounded half away from zero: `formatFixed(2.5, decimals: 0)`
/// is `"3"`, `formatFixed(-0.004, decimals: 2)` is `"0.00"`. Non-finite values print as `nan`, `inf`, `-inf`.
public func formatFixed(_ v: Double, decimals: Int) -> String {
    if v.isNaN { return "nan" }
    if v.isInfinite { return v < 0 ? "-inf" : "inf" }
    let decimals = min(max(decimals, 0), 9)   // 10^9 keeps the scaled value well inside UInt64 for sane inputs
    var scale: UInt64 = 1
    for _ in 0..<decimals { scale *= 10 }
    let scaled = (v.magnitude * Double(scale)).rounded(.toNearestOrAwayFromZero)
    guard scaled < 1.8e19 else { return "\(v)" }   // beyond UInt64: no table or CSV cell sensibly holds it
    let units = UInt64(scaled)
    let sign = v < 0 && units != 0 ? "-" : ""
    let whole = "\(units / scale)"
    guard decimals > 0 else { return sign + whole }
    let fraction = "\(units % scale)"
    return sign + whole + "." + String(repeating: "0", count: decimals - fraction.count) + fraction
}

/// A latency in milliseconds without a unit, precise where precision means something:
/// below 10 ms two decimals, below 100 ms one, above that whole milliseconds.
func formatMs(_ ms: Double) -> String {
    // Thresholds sit half a last digit below the decade so 9.996 becomes "10.0", not "10.00".
    if ms < 9.995 { return formatFixed(ms, decimals: 2) }
    if ms < 99.95 { return formatFixed(ms, decimals: 1) }
    return formatFixed(ms, decimals: 0)
}

/// A latency with its unit for running output: `1.23ms`, `40ms`, and from 10 s on `12.3s` / `153s`.
func formatDuration(ms: Double) -> String {
    guard ms >= 9_999.5 else { return formatMs(ms) + "ms" }
    let seconds = ms / 1000
    return formatFixed(seconds, decimals: seconds < 99.95 ? 1 : 0) + "s"
}

/// A value whose unit the caller does not know (a threshold's actual): whole numbers stay whole,
/// small fractions keep enough digits to be compared against a limit like `0.01`.
func formatQuantity(_ v: Double) -> String {
    if v.isFinite, v == v.rounded(), v.magnitude < 1e15 { return formatFixed(v, decimals: 0) }
    let text = formatFixed(v, decimals: v.magnitude < 1 ? 4 : 2)
    guard text.contains(".") else { return text }
    var trimmed = Substring(text)
    while trimmed.last == "0" { trimmed.removeLast() }
    if trimmed.last == "." { trimmed.removeLast() }
    return String(trimmed)
}

/// Locust's failure cell: `12(0.50%)`.
func formatFailures(_ failures: UInt64, rate: Double) -> String {
    "\(failures)(\(formatFixed(rate * 100, decimals: 2))%)"
}
