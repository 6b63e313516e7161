import Foundation
import Glibc

/// Runs a scenario compile on a thread of its own, awaited by the start request that asked for it.
/// Compiling is synchronous CPU work that can take seconds (a large data file, a hostile YAML): on
/// the cooperative pool it would hold one of its few threads, and on the run manager's actor it
/// would stall `status` and `stop`. Its own thread also gets a large stack (deeply nested YAML
/// recurses) and a lower scheduling priority, so the threads that answer the socket go first.
enum CompileThread {
    static let stackBytes = 16 << 20
    /// This thread's nice value (0 is the default): on Linux the nice value is per thread, and `who = 0` names
    /// the calling thread, not the whole process.
    static let niceValue: Int32 = 10

    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceValue)
                continuation.resume(with: Result { try work() })
            }
            thread.name = "loadd-compile"
            thread.stackSize = stackBytes
            thread.start()
        }
    }
}
