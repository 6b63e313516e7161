/// Reads the durations a scenario writes: `500ms`, `15s`, `2m`, `1h30m`, `1.5s`, `250us`, and a bare
/// number (`90`), which means seconds as in Locust's `--run-time`.
public enum DurationParser {
    /// Nanoseconds per unit, longest suffix first so `ms` is not read as `m` followed by junk.
    private static let units: [(suffix: String, nanoseconds: Double)] = [
        ("ms", 1e6), ("us", 1e3), ("µs", 1e3), ("ns", 1), ("h", 3_600e9), ("m", 60e9), ("s", 1e9),
    ]

    /// Above this the value would overflow `Duration`'s nanosecond arithmetic; no load test is that long.
    private static let limitNanoseconds = 1e17

    /// The duration `text` denotes, or `nil` when it is not a well-formed, non-negative duration.
    public static func parse(_ text: String) -> Duration? {
        nanoseconds(text).flatMap(makeDuration)
    }

    /// The nanoseconds `text` denotes however many there are (finite and non-negative), so a caller can
    /// tell "too long" from "not a duration".
    static func nanoseconds(_ text: String) -> Double? {
        let text = text.trimmingBlanks()
        guard !text.isEmpty else { return nil }
        if let seconds = Double(text), isPlainNumber(text) {
            return finite(seconds * 1e9)
        }
        var rest = Substring(text)
        var total = 0.0
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !digits.isEmpty, isPlainNumber(digits), let value = Double(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            guard let unit = units.first(where: { rest.hasPrefix($0.suffix) }) else { return nil }
            rest = rest.dropFirst(unit.suffix.count)
            total += value * unit.nanoseconds
        }
        return finite(total)
    }

    private static func finite(_ nanoseconds: Double) -> Double? {
        nanoseconds.isFinite && nanoseconds >= 0 ? nanoseconds : nil
    }

    /// Digits with at most one dot, so `Double`'s extras (`1e3`, `inf`, `0x1p3`, signs) are refused.
    private static func isPlainNumber(_ text: some StringProtocol) -> Bool {
        var dots = 0
        var digits = 0
        for character in text {
            if character == "." {
                dots += 1
            } else if character.isASCII, character.isNumber {
                digits += 1
            } else {
                return false
            }
        }
        return dots <= 1 && digits > 0
    }

    private static func makeDuration(_ nanoseconds: Double) -> Duration? {
        guard nanoseconds.isFinite, nanoseconds >= 0, nanoseconds < limitNanoseconds else { return nil }
        return .nanoseconds(Int64(nanoseconds.rounded()))
    }
}

extension StringProtocol {
    /// Drops leading and trailing spaces and tabs; Foundation's trimming is not needed for that.
    func trimmingBlanks() -> String {
        guard let start = firstIndex(where: { $0 != " " && $0 != "\t" }),
            let end = lastIndex(where: { $0 != " " && $0 != "\t" })
        else { return "" }
        return String(self[start...end])
    }
}
