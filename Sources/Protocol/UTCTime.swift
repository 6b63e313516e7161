/// Unix seconds as a UTC date and time: the one clock formatter of loadd (reports, `loadctl`, log
/// lines, run ids). Computed rather than asked of the C library, so the text never depends on the
/// machine's time zone or locale.
public struct UTCTime: Sendable, Equatable {
    public var year: Int
    public var month: Int
    public var day: Int
    public var hour: Int
    public var minute: Int
    public var second: Int

    public init(unixSeconds: Int) {
        // Floored, not truncated, so a second before 1970 falls on the day before; remainders cannot overflow.
        let remainder = unixSeconds % 86_400
        let secondOfDay = remainder < 0 ? remainder + 86_400 : remainder
        let days = unixSeconds / 86_400 - (remainder < 0 ? 1 : 0)
        (year, month, day) = Self.civilDate(daysSince1970: days)
        (hour, minute, second) = (secondOfDay / 3600, secondOfDay % 3600 / 60, secondOfDay % 60)
    }

    /// `2023-11-14 22:13:20`.
    public var text: String {
        "\(year)-\(Self.two(month))-\(Self.two(day)) \(Self.two(hour)):\(Self.two(minute)):\(Self.two(second))"
    }

    /// `2023-11-14T22:13:20`, as log lines carry it (before their milliseconds and `Z`).
    public var iso8601: String {
        "\(year)-\(Self.two(month))-\(Self.two(day))T\(Self.two(hour)):\(Self.two(minute)):\(Self.two(second))"
    }

    /// `20231114-221320`: sorts as text in time order (run ids, folder names).
    public var compact: String {
        let digits = String(year)
        let year = String(repeating: "0", count: max(0, 4 - digits.count)) + digits
        return "\(year)\(Self.two(month))\(Self.two(day))-\(Self.two(hour))\(Self.two(minute))\(Self.two(second))"
    }

    private static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    /// Howard Hinnant's `civil_from_days`: the proleptic Gregorian date of a day count, in eras of 400
    /// years (146 097 days) that begin on 1 March so the leap day falls at the end of each year.
    private static func civilDate(daysSince1970 days: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468   // days from 0000-03-01 to 1970-01-01
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let marchMonth = (5 * dayOfYear + 2) / 153   // 0 = March … 11 = February
        let day = dayOfYear - (153 * marchMonth + 2) / 5 + 1
        let month = marchMonth < 10 ? marchMonth + 3 : marchMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
