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

        mutating func admit(_ sequence: UInt64) -> Bool {
            guard sequence > contiguous, !ahead.contains(sequence) else { return false }
            // The usual case, the next in order, touches no set.
            if sequence == contiguous + 1 && ahead.isEmpty {
                contiguous = sequence
                return true
            }
            ahead.insert(sequence)
            while ahead.remove(contiguous + 1) != nil { contiguous += 1 }
            return true
        }
    }

    private struct Key: Hashable, Sendable {
        var node: NodeID
        var assignment: UInt64
    }

    private var streams: [Key: Stream] = [:]

    public init() {}

    /// True the first time `(node, assignment, sequence)` is seen, false for every repeat.
    public mutating func admit(node: NodeID, assignment: UInt64, sequence: UInt64) -> Bool {
        // In place: a stream copied out and back would copy its set on every report.
        streams[Key(node: node, assignment: assignment), default: Stream()].admit(sequence)
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
        Checkpoint(
            streams: streams.map {
                .init(
                    node: $0.key.node, assignment: $0.key.assignment, contiguous: $0.value.contiguous,
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
