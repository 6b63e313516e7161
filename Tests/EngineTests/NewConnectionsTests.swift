import Protocol
import Testing

@testable import Engine

/// New connections per second in the history: libcurl's count of connections each transfer opened.
@Suite struct NewConnectionsTests {
    @Test(.timeLimit(.minutes(1)))
    func usersOpenTheirConnectionsOnceAndThenReuseThem() async throws {
        let summary = try await runAgainstTarget(
            """
            name: connections
            host: http://placeholder
            users: 3
            spawn_rate: 100
            duration: 2s
            wait: { constant: 10ms }
            tasks: [ { request: GET /Test/V1 } ]
            """, threads: 1)
        let perSecond = summary.history.map { $0.newConnections ?? 0 }
        let opened = perSecond.reduce(0, +)
        #expect(summary.total.requests > 30)
        #expect(opened >= 3, "\(perSecond)")
        // Keep-alive: far fewer connections than requests, and the first second opened them.
        #expect(opened * 10 < summary.total.requests, "\(perSecond) for \(summary.total.requests) requests")
        #expect(perSecond.first.map { $0 >= 3 } == true, "\(perSecond)")
    }
}
