import Protocol

/// Remembers which stats reports a run has merged, so a report delivered twice (a replay after a
/// reconnect, a duplicated frame) is never counted twice. Per worker assignment it keeps the
/// highest sequence below which everything arrived, plus the few that arrived ahead of a gap:
/// memory stays small over hours of reports.
public struct StatsDeduplicator: Sendable {
    private struct Stream: Sendable {
        /// Every sequence up to and including this one has been admitted.
        var contiguous: UInt64 = 0
        var ahead: Set<UInt64> = []
    }

    private struct Key: Hashable, Sendable {
        var node: NodeID
        var assignment: UInt64
    }

    private var streams: [Key: Stream] = [:]

    public init() {}

    /// True the first time `(node, assignment, sequence)` is seen, false for every repeat.
    public mutating func admit(node: NodeID, assignment: UInt64, sequence: UInt64) -> Bool {
        let key = Key(node: node, assignment: assignment)
        var stream = streams[key] ?? Stream()
        guard sequence > stream.contiguous, !stream.ahead.contains(sequence) else { return false }
        stream.ahead.insert(sequence)
        while stream.ahead.remove(stream.contiguous + 1) != nil { stream.contiguous += 1 }
        streams[key] = stream
        return true
    }
}

extension StatsDeduplicator {
    /// What was admitted, per worker assignment, for a master's resume record: a worker re-sending
    /// what the restarted master had already counted is still refused.
    public struct Checkpoint: Codable, Sendable, Equatable {
        var streams: [SavedStream]

        struct SavedStream: Codable, Sendable, Equatable {
            var node: NodeID
            var assignment: UInt64
            var contiguous: UInt64
            var ahead: [UInt64]
        }
    }

    public func checkpoint() -> Checkpoint {
        Checkpoint(streams: streams.map {
            .init(node: $0.key.node, assignment: $0.key.assignment, contiguous: $0.value.contiguous,
                  ahead: $0.value.ahead.sorted())
        })
    }

    public init(restoring saved: Checkpoint) {
        self.init()
        for stream in saved.streams {
            streams[Key(node: stream.node, assignment: stream.assignment)] =
                Stream(contiguous: stream.contiguous, ahead: Set(stream.ahead))
        }
    }
}
