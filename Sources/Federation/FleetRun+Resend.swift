import Protocol

/// What the run knows of shares whose worker's link dropped, to say in its events what came back.
/// A worker keeps every report the master has not acknowledged and, once it has rejoined, resends
/// them and then the share's `stats_end`, before any report of its new share. So:
/// - the `stats_end` of the lost share arrives: every report it made is merged (late seconds join the
///   totals and their second's counts; that second's percentiles stay as computed when it closed);
/// - a report of a newer share of that worker arrives first: the worker came back without them (its
///   daemon restarted), and what it measured after the last second merged from it is lost.
/// A worker that never comes back is only "lost", as before.
struct ResendLedger: Sendable {
    struct Lost: Sendable {
        var assignment: UInt64
        /// The run second the master lost the link in, and the newest second merged from the share then.
        var atSecond: Int
        var lastMerged: Int?
        /// Reports of the share merged after the loss, and the span of seconds they held.
        var lateReports = 0
        var lateSeconds: ClosedRange<Int>?
    }

    /// Per assignment, the newest run second merged from it.
    var lastMerged: [UInt64: Int] = [:]
    /// Per worker, the share it held when its link dropped, until its resend is complete or known lost.
    var lost: [NodeID: Lost] = [:]
    /// Assignments whose `stats_end` arrived: a link dropping after it lost nothing (a worker that
    /// shuts down cleanly sends it before closing).
    var ended: Set<UInt64> = []
}

extension FleetRun {
    /// The worker's link dropped (call before `lose`): remember its share to judge its resend.
    mutating func linkLost(_ node: NodeID, now: Duration) {
        guard let share = shares[node], !resend.ended.contains(share.assignment) else { return }
        if let earlier = resend.lost[node] { recordUnrecovered(node, earlier, now: now) }
        resend.lost[node] = ResendLedger.Lost(
            assignment: share.assignment, atSecond: second(at: now),
            lastMerged: resend.lastMerged[share.assignment])
    }

    /// A report was merged (not a repeat).
    mutating func noteMerged(_ report: StatsReport, now: Duration) {
        guard let newest = report.intervals.lazy.map(\.second).max() else { return }
        resend.lastMerged[report.assignment] = max(resend.lastMerged[report.assignment] ?? newest, newest)
        guard var lost = resend.lost[report.node] else { return }
        if report.assignment == lost.assignment {
            let oldest = report.intervals.lazy.map(\.second).min()!
            lost.lateReports += 1
            lost.lateSeconds =
                lost.lateSeconds.map { min($0.lowerBound, oldest)...max($0.upperBound, newest) }
                ?? oldest...newest
            resend.lost[report.node] = lost
        } else if report.assignment > lost.assignment {
            resend.lost[report.node] = nil
            recordUnrecovered(report.node, lost, now: now)
        }
    }

    /// A worker's `stats_end`: what its bound dropped, and whether a lost share's resend is complete.
    mutating func statsEnded(_ end: StatsEnd, from node: NodeID, now: Duration) {
        guard end.run == id, assignedTo[end.assignment] == node, resend.ended.insert(end.assignment).inserted else {
            return
        }
        if end.droppedReports > 0 {
            record(
                "worker \(node) dropped \(end.droppedReports) stats reports (\(end.droppedSeconds) thread-seconds) "
                    + "the master had not acknowledged: its buffer of unacknowledged seconds was full", now: now)
        }
        guard let lost = resend.lost[node], lost.assignment == end.assignment else { return }
        resend.lost[node] = nil
        if let span = lost.lateSeconds {
            record(
                "worker \(node) rejoined and resent \(lost.lateReports) stats reports it measured before its link "
                    + "dropped (seconds \(span.lowerBound)…\(span.upperBound)): merged late, once", now: now)
        } else {
            record("worker \(node) rejoined: everything it measured before its link dropped had arrived", now: now)
        }
    }

    private mutating func recordUnrecovered(_ node: NodeID, _ lost: ResendLedger.Lost, now: Duration) {
        let from = lost.lastMerged.map { "after second \($0)" } ?? "in its share"
        record(
            "worker \(node) rejoined without the stats it had not sent before it was lost at second \(lost.atSecond) "
                + "(its daemon restarted?): what it measured \(from) is lost", now: now)
    }
}
