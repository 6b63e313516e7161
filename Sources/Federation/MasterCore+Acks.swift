import Engine
import Foundation
import NIOCore
import Protocol

/// The master's side of acknowledged stats. It acknowledges the newest frame it has handled from
/// each worker — cumulative, so one ack per worker and beat, sent in place of that worker's
/// heartbeat: no extra wake-up per worker, and nothing at all for a worker with nothing new.
extension MasterCore {
    /// Notes a worker's `stats` or `stats_end` as handled, to acknowledge on the next beat: one of
    /// an assignment the run gave that worker (merged now or before), or of the run once it has
    /// finished (nothing will merge it). Not of an assignment the run does not know (a master
    /// restarted without it): the worker keeps those. Not on a link this side is closing: a frame
    /// refused there (out of range, over budget) must not be acknowledged by a later one.
    mutating func noteForAck(run: RunID, assignment: UInt64, sequence: UInt64, from node: NodeID, on link: Link) {
        // Read through `self.run`: a local copy would be a second reference to the run's buffers.
        guard self.run?.id == run, link.localCloseReason == nil,
            self.run?.phase == .finished || self.run?.assignedTo[assignment] == node
        else { return }
        pendingAcks[node] = StatsAck(run: run, assignment: assignment, sequence: sequence)
    }

    /// One `stats_ack` frame per worker with news, to write in place of its heartbeat; the notes are
    /// cleared (a worker gone meanwhile resends on rejoin, and is acknowledged then). With a run
    /// saved for resuming, only what a written save holds is due (`AckSaveGate`).
    mutating func takeAckFrames() -> [NodeID: ByteBuffer] {
        // A suspended run is carried on by the next master: only what a written save holds is acked.
        let due = ackSaveGate.due(
            &pendingAcks, current: run?.id, finished: run?.phase == .finished && run?.suspended == false)
        guard !due.isEmpty else { return [:] }
        var frames: [NodeID: ByteBuffer] = [:]
        frames.reserveCapacity(due.count)
        // Every ack of a beat names the same run: its JSON is encoded once, not once per worker.
        var runJSON: (RunID, String)?
        for (node, ack) in due where memberLinks[node] != nil {
            if runJSON?.0 != ack.run {
                guard let encoded = try? WireJSON.sharedEncoder.encode(ack.run) else { continue }
                runJSON = (ack.run, String(decoding: encoded, as: UTF8.self))
            }
            frames[node] = Self.ackFrame(ack, runJSON: runJSON!.1)
        }
        return frames
    }

    /// A `stats_ack` frame written by hand around the run id's JSON: a thousand workers' acks a beat
    /// through `JSONEncoder` cost the master a percent of a core; this is a few string appends.
    static func ackFrame(_ ack: StatsAck, runJSON: String) -> ByteBuffer {
        let payload =
            #"{"stats_ack":{"run":"# + runJSON + #","assignment":\#(ack.assignment),"sequence":\#(ack.sequence)}}"#
        var frame = ByteBuffer()
        frame.reserveCapacity(4 + payload.utf8.count)
        frame.writeInteger(UInt32(payload.utf8.count))
        frame.writeString(payload)
        return frame
    }

    /// A worker's `stats_end`: acknowledged, and the run's events say what its resend brought.
    mutating func statsEnded(_ end: StatsEnd, from node: NodeID, on link: Link) {
        noteForAck(run: end.run, assignment: end.assignment, sequence: end.sequence, from: node, on: link)
        let now = self.now
        update { run in
            run.statsEnded(end, from: node, now: now)
            return []
        }
    }
}
