import Engine
import Protocol

/// Workers lost in a burst, re-split once. A lost worker's share is dropped at once (its seconds
/// stop waiting for it), but its load moves to the others at the next `tick`, together with every
/// other loss since: when a thousand workers go at once (a partition, a rack's power, the end of a
/// benchmark), a re-split per loss sent each remaining worker a change per loss — a million messages
/// and a fleet event listing every share per loss — where one re-split sends each at most one.
extension FleetRun {
    /// A worker left (connection closed or heartbeats missed); `tick` moves its load to the others.
    public mutating func loseLater(_ node: NodeID, reason: String, now: Duration) {
        guard shares.removeValue(forKey: node) != nil else { return }
        ledger.expectedReporters = threads
        guard phase == .running else {
            record("worker \(node) lost (\(reason)) while stopping", now: now)
            return
        }
        unsplitLosses.append(Loss(node: node, reason: reason))
    }

    /// Workers lost since the last re-split, waiting for the next.
    public var pendingLosses: Int { unsplitLosses.count }

    /// One re-split over the workers left for every loss since the last (see `loseLater`); each
    /// loss gets its event, the last one the re-split's.
    mutating func splitLosses(now: Duration) -> [Outgoing] {
        guard let last = unsplitLosses.last else { return [] }
        guard phase == .running else {
            noteLosses(now: now)
            return []
        }
        for loss in unsplitLosses.dropLast() { record("worker \(loss.node) lost (\(loss.reason))", now: now) }
        unsplitLosses.removeAll()
        guard !shares.isEmpty else {
            record(
                "worker \(last.node) lost (\(last.reason)); no workers left: its load waits for one to join", now: now)
            return []
        }
        let out = moveLoad(now: now)
        record("worker \(last.node) lost (\(last.reason)); \(noun) re-split: \(describeShares())", now: now)
        return out
    }

    /// Records the losses waiting for a re-split without one: what comes next (a join, a new
    /// user count or rate, a stop) splits the load itself.
    mutating func noteLosses(now: Duration) {
        for loss in unsplitLosses { record("worker \(loss.node) lost (\(loss.reason))", now: now) }
        unsplitLosses.removeAll()
    }
}

extension FleetRun {
    /// A loss waiting for its re-split.
    struct Loss: Sendable {
        var node: NodeID
        var reason: String
    }
}
