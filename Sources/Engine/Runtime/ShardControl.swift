import CCurl
import Synchronization

/// Commands from the engine's controller to one engine thread. The thread looks at an atomic
/// flag once per loop turn and takes the lock only when something was posted.
final class ShardControl: Sendable {
    struct Command: Sendable {
        var model: LoadModel?
        var stop = false
    }

    private let posted = Atomic<Bool>(false)
    private let command = Mutex(Command())
    /// The multi handle the thread blocks on; `curl_multi_wakeup` is documented thread-safe.
    private nonisolated(unsafe) let wakeHandle: UnsafeMutableRawPointer

    init(wakeHandle: UnsafeMutableRawPointer) {
        self.wakeHandle = wakeHandle
    }

    func post(model: LoadModel) {
        command.withLock { $0.model = model }
        posted.store(true, ordering: .releasing)
        curl_multi_wakeup(wakeHandle)
    }

    func postStop() {
        command.withLock { $0.stop = true }
        posted.store(true, ordering: .releasing)
        curl_multi_wakeup(wakeHandle)
    }

    /// Engine thread: the commands posted since the last call, if any.
    @inline(__always) func take() -> Command? {
        guard posted.load(ordering: .acquiring) else { return nil }
        posted.store(false, ordering: .relaxed)
        return command.withLock { current in
            let taken = current
            current.model = nil
            return taken
        }
    }
}
