/// Unix seconds as `2023-11-14 22:13:20 UTC`, computed rather than asked of the C library so the text never
/// depends on the machine's time zone or locale.
func formatUTC(_ unixSeconds: Int) -> String {
    // Floored, not truncated, so a second before 1970 falls on the day before; remainders cannot overflow.
    let remainder = unixSeconds % 86_400
    let secondOfDay = remainder < 0 ? remainder + 86_400 : remainder
    let days = unixSeconds / 86_400 - (remainder < 0 ? 1 : 0)
    let date = civilDate(daysSince1970: days)
    func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
    return "\(date.year)-\(two(date.month))-\(two(date.day)) "
        + "\(two(secondOfDay / 3600)):\(two(secondOfDay % 3600 / 60)):\(two(secondOfDay % 60)) UTC"
}

/// Unix seconds as `2023-11-14T22:13:20Z`, the form Locust 2.47 writes in `First Seen` / `Last Seen`
/// (its `format_utc_timestamp`).
func formatISO8601UTC(_ unixSeconds: Int) -> String {
    // formatUTC's text is fixed-width apart from the year: swap its separators rather than repeat the arithmetic.
    var text = formatUTC(unixSeconds)
    text.removeLast(" UTC".count)
    return text.replacing(" ", with: "T") + "Z"
}

/// Howard Hinnant's `civil_from_days`: the proleptic Gregorian date of a day count, in eras of 400 years
/// (146 097 days) that begin on 1 March so the leap day falls at the end of each year.
private func civilDate(daysSince1970 days: Int) -> (year: Int, month: Int, day: Int) {
    let shifted = days + 719_468                  // days from 0000-03-01 to 1970-01-01
    let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
    let dayOfEra = shifted - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let marchMonth = (5 * dayOfYear + 2) / 153    // 0 = March … 11 = February
    let day = dayOfYear - (153 * marchMonth + 2) / 5 + 1
    let month = marchMonth < 10 ? marchMonth + 3 : marchMonth - 9
    return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
}
