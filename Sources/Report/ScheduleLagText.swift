import Protocol

/// The schedule-lag line shown under service time in the terminal and HTML reports.
enum ScheduleLagText {
    static func lines(_ lag: ScheduleLag?) -> [String] {
        guard let lag else { return [] }
        return [
            "schedule lag (intended start → sent, the generator's own lateness): median \(formatMs(lag.medianMs))"
                + "  p99 \(formatMs(lag.p99Ms))  max \(formatMs(lag.maxMs))"
        ]
    }
}
