import Synchronization

/// The one meeting point between an engine thread and the aggregator: filled windows go one way,
/// cleared windows come back for reuse. Each engine thread has its own, taken once per window,
/// so no lock is shared between engine threads and none is taken per request.
final class ShardExchange: Sendable {
    private struct State {
        var filled: [WindowStats] = []
        var spares: [WindowStats] = []
    }

    private let state = Mutex(State())
    private let endpoints: Int

    init(endpoints: Int) {
        self.endpoints = endpoints
    }

    /// Engine thread: hands over a filled window, gets an empty one back.
    func swap(_ filled: WindowStats) -> WindowStats {
        let spare: WindowStats? = state.withLock { state in
            state.filled.append(filled)
            return state.spares.popLast()
        }
        return spare ?? WindowStats(endpoints: endpoints)
    }

    /// Aggregator: takes every window filled since the last call.
    func takeFilled() -> [WindowStats] {
        state.withLock { state in
            let windows = state.filled
            state.filled.removeAll(keepingCapacity: true)
            return windows
        }
    }

    /// Aggregator: returns windows, already cleared, for reuse.
    func recycle(_ windows: [WindowStats]) {
        state.withLock { $0.spares.append(contentsOf: windows) }
    }
}
