import Engine
import Logging
import NIOCore
import Protocol

/// The worker's side of acknowledged stats: every report is kept (encoded) until the master's
/// `stats_ack` covers it, and resent, oldest first, right after a rejoin's `welcome` — before any
/// new report — so the seconds a dropped link swallowed still reach the master's totals (its dedupe
/// merges each report once). See `UnacknowledgedSeconds` for the bounds.
extension FederationWorker {
    /// Sends the intervals measured since the last report, in the run's seconds, and keeps the frame
    /// until it is acknowledged. Without a welcomed link the frame is only kept.
    func sendStats(_ share: inout Share) {
        let shift = share.assignment.startSecond
        var intervals = share.engine.takeIntervals()
        guard !intervals.isEmpty else { return }
        for index in intervals.indices { intervals[index].second += shift }
        share.sequence += 1
        let report = StatsReport(
            node: configuration.node, run: share.assignment.run,
            assignment: share.assignment.assignment, sequence: share.sequence, intervals: intervals)
        var frame = ByteBuffer()
        do {
            try FrameEncoder.frame(.stats(report), into: &frame, maxFrameBytes: configuration.maxFrameBytes)
        } catch {
            runLogger(share).error(
                "stats of one second are lost: they do not fit in a frame",
                metadata: [
                    "reason": "\(error)", "sequence": "\(report.sequence)",
                ])
            return
        }
        let droppedBefore = unacknowledged.droppedReports
        unacknowledged.append(report, frame: frame)
        if unacknowledged.droppedReports > droppedBefore {
            runLogger(share).warning(
                "dropped the oldest unacknowledged stats: the buffer is full",
                metadata: [
                    "max_reports": "\(unacknowledged.bounds.maxReports)",
                    "max_bytes": "\(unacknowledged.bounds.maxBytes)",
                    "dropped_total": "\(unacknowledged.droppedReports)",
                ])
        }
        guard let link = session?.link, session?.master != nil else { return }
        link.send(frame: frame)
    }

    /// Queues the share's `stats_end` behind its last report (and sends it when welcomed): the master
    /// learns the share's reports are complete, or how many the bound dropped.
    func endStats(_ share: Share) {
        let end = unacknowledged.end(
            run: share.assignment.run, assignment: share.assignment.assignment,
            last: share.sequence)
        guard let link = session?.link, session?.master != nil else { return }
        link.send(.statsEnd(end))
    }

    /// The master is done with the frames up to `ack`.
    func acknowledged(_ ack: StatsAck) {
        unacknowledged.acknowledge(ack)
    }

    /// Right after a `welcome`: every frame not yet acknowledged, oldest first. The master merges
    /// those of the run it knows (once each) and ignores the rest.
    func resendUnacknowledged(on link: Link) {
        guard !unacknowledged.isEmpty else { return }
        let maxFrameBytes = configuration.maxFrameBytes
        let frames = unacknowledged.frames { end in
            var frame = ByteBuffer()
            do {
                try FrameEncoder.frame(.statsEnd(end), into: &frame, maxFrameBytes: maxFrameBytes)
            } catch {
                return nil   // a few numbers and a run id: it always fits
            }
            return frame
        }
        for frame in frames { link.send(frame: frame) }
        logger.info(
            "resent the stats the master had not acknowledged",
            metadata: [
                "frames": "\(frames.count)", "bytes": "\(unacknowledged.bytes)",
            ])
    }

    /// A new assignment: frames of other runs will never be merged (the master has moved on).
    func forgetUnacknowledged(otherThan run: RunID) {
        let forgotten = unacknowledged.forget(runsOtherThan: run)
        if forgotten > 0 {
            logger.notice(
                "forgot unacknowledged stats of a run the master no longer runs",
                metadata: [
                    "frames": "\(forgotten)"
                ])
        }
    }
}
