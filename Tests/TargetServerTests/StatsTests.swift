import TargetServer
import Testing

@Suite struct StatsTests {
    @Test func statsCountEveryServedRequestByPath() async throws {
        try await withServer { server in
            let connection = try HTTPTestConnection(port: server.port)
            for _ in 0..<3 { _ = try connection.request("GET", "/Test/V1") }
            _ = try connection.request("GET", "/Test/V4")
            _ = try connection.request("POST", "/login", body: "u=1")
            _ = try connection.request("GET", "/missing")
            let stats = try connection.request("GET", "/stats").decode(StatsBody.self)
            #expect(stats.requests == 6)
            #expect(stats.unmatched == 1)
            #expect(
                stats.byPath == [
                    "/Test/V1": 3, "/Test/V2": 0, "/Test/V3": 0, "/Test/V4": 1,
                    "/login": 1, "/metrics": 0, "/api/login": 0, "/api/me": 0,
                ])
            #expect(server.stats().byPath == stats.byPath)
            #expect(server.requestCount() == 6)   // admin endpoints are not counted
        }
    }

    @Test func statsResetZeroesTheCounters() async throws {
        try await withServer { server in
            let connection = try HTTPTestConnection(port: server.port)
            for _ in 0..<5 { _ = try connection.request("GET", "/Test/V2") }
            let reset = try connection.request("POST", "/stats/reset").decode(StatsBody.self)
            #expect(reset.requests == 0 && reset.byPath["/Test/V2"] == 0)
            _ = try connection.request("GET", "/Test/V2")
            #expect(server.requestCount() == 1)
            server.resetStats()
            #expect(server.requestCount() == 0)
        }
    }

    @Test func countsFromManyConnectionsOnTwoThreadsAddUp() async throws {
        try await withServer(TargetConfig(threads: 2)) { server in
            let connections = try (0..<4).map { _ in try HTTPTestConnection(port: server.port) }
            for round in 0..<25 {
                for connection in connections {
                    #expect(
                        try connection.request("GET", round.isMultiple(of: 2) ? "/Test/V1" : "/Test/V3").status == 200)
                }
            }
            let stats = server.stats()
            #expect(stats.requests == 100)
            #expect(stats.byPath["/Test/V1"] == 52 && stats.byPath["/Test/V3"] == 48)
        }
    }
}
