import Foundation

/// The tests' one way to wait for an event instead of sleeping a guessed time: polls `condition` every
/// 20 ms until it holds, and throws after `timeout` (long: the whole suite shares two cores). An error
/// thrown by the condition counts as "not yet" (a daemon still starting refuses connections); the last
/// one is in the timeout's message.
public func eventually(
    _ what: String, timeout: Duration = .seconds(30), _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    var lastError: (any Error)?
    while true {
        do {
            if try await condition() { return }
        } catch {
            lastError = error
        }
        guard ContinuousClock.now < deadline else { throw EventuallyTimeout(what: what, timeout: timeout, lastError) }
        try await Task.sleep(for: .milliseconds(20))
    }
}

/// The same for tests that drive real processes from a synchronous test function.
public func eventually(_ what: String, timeout: Duration = .seconds(30), _ condition: () throws -> Bool) throws {
    let deadline = ContinuousClock.now + timeout
    var lastError: (any Error)?
    while true {
        do {
            if try condition() { return }
        } catch {
            lastError = error
        }
        guard ContinuousClock.now < deadline else { throw EventuallyTimeout(what: what, timeout: timeout, lastError) }
        usleep(20_000)
    }
}

public struct EventuallyTimeout: Error, CustomStringConvertible {
    public let what: String
    public let timeout: Duration
    public let lastError: String?

    init(what: String, timeout: Duration, _ lastError: (any Error)?) {
        self.what = what
        self.timeout = timeout
        self.lastError = lastError.map { "\($0)" }
    }

    public var description: String {
        "timed out after \(timeout) waiting for \(what)" + (lastError.map { " (last error: \($0))" } ?? "")
    }
}
