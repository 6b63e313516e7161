import Protocol

/// The one-line progress report printed each second while a run is going.
public enum LiveLine {
    /// One fixed-width line, so successive lines stack into columns a person can scan down:
    /// `   12s  users   200/200  rps   81234  fails      0 (  0.00%)    0.0/s  p50 1.20ms  p95 3.40ms  p99 8.10ms  max 40.0ms  reqs 812340`
    ///
    /// - Parameters:
    ///   - elapsed: seconds since the run started.
    ///   - users: users running now.
    ///   - targetUsers: users the run is ramping to; shown as `users 150/200` while ramping.
    ///   - total: all endpoints together so far; supplies failures, percentiles, max and the request count.
    ///   - currentRps: requests per second over the last few seconds.
    ///   - failuresPerS: failures per second over the same span.
    public static func render(
        elapsed: Double, users: Int, targetUsers: Int? = nil, total: EndpointSummary,
        currentRps: Double, failuresPerS: Double
    ) -> String {
        let userText = targetUsers.map { "\(users)/\($0)" } ?? "\(users)"
        let fields = [
            pad(formatFixed(elapsed.rounded(.down), decimals: 0) + "s", 6),
            "users " + pad(userText, 9),
            "rps " + pad(rate(currentRps), 7),
            "fails " + pad("\(total.failures)", 6)
                + " (" + pad(formatFixed(total.failureRate * 100, decimals: 2), 6) + "%) "
                + pad(formatFixed(failuresPerS, decimals: 1), 6) + "/s",
            "p50 " + pad(formatDuration(ms: total.medianMs), 6),
            "p95 " + pad(formatDuration(ms: total.p95Ms), 6),
            "p99 " + pad(formatDuration(ms: total.p99Ms), 6),
            "max " + pad(formatDuration(ms: total.maxMs), 6),
            "reqs \(total.requests)",
        ]
        return fields.joined(separator: "  ")
    }

    /// Whole requests once a rate is large enough that decimals are noise; one decimal for trickles.
    private static func rate(_ rps: Double) -> String {
        formatFixed(rps, decimals: rps < 99.95 ? 1 : 0)
    }

    /// Right-aligns; a value wider than `width` is kept whole rather than cut.
    private static func pad(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }
}
