/// Polls `condition` every 10 ms until it holds; throws after `timeout` (long: the whole suite shares
/// two cores). The engine tests' one way to wait for an event instead of sleeping a guessed time.
func eventually(_ what: String, timeout: Duration = .seconds(20), _ condition: () throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while try !condition() {
        guard ContinuousClock.now < deadline else { throw EventuallyTimeout(what: what, timeout: timeout) }
        try await Task.sleep(for: .milliseconds(10))
    }
}

struct EventuallyTimeout: Error, CustomStringConvertible {
    let what: String
    let timeout: Duration
    var description: String { "timed out after \(timeout) waiting for \(what)" }
}
