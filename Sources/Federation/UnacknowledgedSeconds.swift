import NIOCore
import Protocol

/// What a worker measured and the master has not acknowledged yet: its `stats` frames (kept
/// encoded, so their size is exact and a resend costs no encoding) and `stats_end` markers, in the
/// order they were first sent. On a rejoin the worker resends all of them, in that order, before
/// anything new; the master's dedupe by (worker, assignment, sequence) merges each exactly once,
/// and its `stats_ack` trims the queue up to the frame it names.
///
/// Bounded in frames and bytes (`Bounds`): full, it drops its oldest report and counts it, and the
/// assignment's `stats_end` carries the count so the master's fleet events say what was lost.
struct UnacknowledgedSeconds: Sendable {
    /// How much is kept. A worker reports once a second and stops its load when the link drops (or
    /// its dead-man's switch trips), so in the worst case it holds the seconds of one heartbeat
    /// timeout; `grace` covers reports of a share ending meanwhile and a slow first ack.
    struct Bounds: Sendable, Equatable {
        var maxReports: Int
        var maxBytes: Int

        /// Extra reports kept beyond the heartbeat timeout's worth.
        static let grace = 10
        /// Reports: the heartbeat timeout in whole seconds plus `grace`, within this range.
        static let reports: ClosedRange<Int> = 10...3_610
        /// Bytes of encoded frames: one largest frame (8 MiB), half a link's outbound bound, so a
        /// rejoin's resend never closes the new link as a slow reader.
        static let bytes = FederationProtocol.maxFrameBytes

        init(maxReports: Int, maxBytes: Int = Bounds.bytes) {
            self.maxReports = maxReports
            self.maxBytes = maxBytes
        }

        init(heartbeatTimeout: Duration) {
            let (seconds, attoseconds) = heartbeatTimeout.components
            // Clamped before adding: a timeout is at most an hour (`FieldRanges.heartbeatTimeoutMs`).
            let whole = Int(min(max(seconds, 0), Int64(Self.reports.upperBound))) + (attoseconds > 0 ? 1 : 0)
            self.init(maxReports: min(max(whole + Self.grace, Self.reports.lowerBound), Self.reports.upperBound))
        }
    }

    /// One frame kept for resending.
    struct Entry: Sendable {
        enum Body: Sendable {
            /// An encoded `stats` frame and the engine-thread seconds (intervals) it holds.
            case stats(ByteBuffer, seconds: Int)
            /// Unencoded: its dropped counts may still grow while it waits.
            case end(StatsEnd)
        }
        let run: RunID
        let assignment: UInt64
        let sequence: UInt64
        var body: Body
    }

    /// Raised or lowered on a `welcome` (the master's timeout may differ); applied on the next append.
    var bounds: Bounds
    private(set) var entries: [Entry] = []
    /// Bytes of the stats frames held.
    private(set) var bytes = 0
    private var reports = 0
    /// Per assignment whose `stats_end` is not queued yet: reports dropped and the seconds they held.
    private var dropped: [Share: (reports: UInt64, seconds: UInt64)] = [:]
    /// Assignment numbers restart with each run.
    private struct Share: Hashable, Sendable {
        let run: RunID
        let assignment: UInt64
    }
    /// Reports dropped over this worker's life, for its log.
    private(set) var droppedReports: UInt64 = 0

    init(bounds: Bounds) {
        self.bounds = bounds
    }

    var isEmpty: Bool { entries.isEmpty }
    var count: Int { entries.count }

    /// Keeps a report's encoded frame, dropping the oldest reports to stay within the bounds.
    mutating func append(_ report: StatsReport, frame: ByteBuffer) {
        let size = frame.readableBytes
        while !entries.isEmpty, reports + 1 > bounds.maxReports || bytes + size > bounds.maxBytes {
            guard dropOldestReport() else { break }
        }
        entries.append(
            Entry(
                run: report.run, assignment: report.assignment, sequence: report.sequence,
                body: .stats(frame, seconds: report.intervals.count)))
        reports += 1
        bytes += size
    }

    /// Queues the `stats_end` of an assignment whose last report has sequence `last` (0: none), with
    /// what was dropped of it. Not counted against the bounds: one per assignment, a few bytes.
    mutating func end(run: RunID, assignment: UInt64, last: UInt64) -> StatsEnd {
        let lost = dropped.removeValue(forKey: Share(run: run, assignment: assignment)) ?? (0, 0)
        let end = StatsEnd(
            run: run, assignment: assignment, sequence: last + 1, droppedReports: lost.reports,
            droppedSeconds: lost.seconds)
        entries.append(Entry(run: run, assignment: assignment, sequence: end.sequence, body: .end(end)))
        return end
    }

    /// Forgets the acknowledged frame and everything queued before it. An ack naming a frame not
    /// held (already trimmed, or one a previous life of this worker sent) changes nothing.
    /// Returns how many frames were forgotten.
    @discardableResult
    mutating func acknowledge(_ ack: StatsAck) -> Int {
        guard
            let at = entries.firstIndex(where: {
                $0.run == ack.run && $0.assignment == ack.assignment && $0.sequence == ack.sequence
            })
        else { return 0 }
        for entry in entries[...at] { release(entry) }
        entries.removeFirst(at + 1)
        return at + 1
    }

    /// Forgets every frame of another run: the master runs one run at a time, so one that assigns
    /// `run` has finished the others and will merge none of their frames.
    @discardableResult
    mutating func forget(runsOtherThan run: RunID) -> Int {
        let before = entries.count
        for entry in entries where entry.run != run { release(entry) }
        entries.removeAll { $0.run != run }
        dropped = dropped.filter { $0.key.run == run }
        return before - entries.count
    }

    /// The frames to resend, oldest first; `encode` turns a `stats_end` into its frame.
    func frames(encoding encode: (StatsEnd) -> ByteBuffer?) -> [ByteBuffer] {
        entries.compactMap { entry in
            switch entry.body {
            case .stats(let frame, _): frame
            case .end(let end): encode(end)
            }
        }
    }

    // MARK: Helpers

    private mutating func release(_ entry: Entry) {
        if case .stats(let frame, _) = entry.body {
            reports -= 1
            bytes -= frame.readableBytes
        }
    }

    /// Drops the oldest report, counting it on its assignment's `stats_end` (queued or to come).
    private mutating func dropOldestReport() -> Bool {
        guard let at = entries.firstIndex(where: { if case .stats = $0.body { true } else { false } }) else {
            return false
        }
        let entry = entries.remove(at: at)
        release(entry)
        guard case .stats(_, let seconds) = entry.body else { return true }
        droppedReports += 1
        if let marker = entries.firstIndex(where: {
            if case .end = $0.body { $0.assignment == entry.assignment && $0.run == entry.run } else { false }
        }), case .end(var end) = entries[marker].body {
            end.droppedReports += 1
            end.droppedSeconds += UInt64(seconds)
            entries[marker].body = .end(end)
        } else {
            let share = Share(run: entry.run, assignment: entry.assignment)
            let counted = dropped[share] ?? (0, 0)
            dropped[share] = (counted.reports + 1, counted.seconds + UInt64(seconds))
        }
        return true
    }
}
