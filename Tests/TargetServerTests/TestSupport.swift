import TargetServer

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Runs `body` against a fresh server on an ephemeral loopback port and always stops it.
func withServer<T>(
    _ config: TargetConfig = TargetConfig(), _ body: (TargetServer) async throws -> T
)
    async throws -> T
{
    let server = try await TargetServer.start(config)
    do {
        let result = try await body(server)
        try await server.stop()
        return result
    } catch {
        try? await server.stop()
        throw error
    }
}

/// `GET /stats` as the wire carries it.
struct StatsBody: Decodable, Equatable {
    var requests: Int
    var unmatched: Int
    var by_path: [String: Int]
}

/// `GET /control` as the wire carries it.
struct ControlBody: Decodable, Equatable {
    var delay_ms: Double
    var slow_fraction: Double
    var slow_ms: Double
    var error_fraction: Double
    var error_status: Int
    var stall_ms: Double
}

extension HTTPReply {
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(type, from: Data(body))
    }
}

/// Elapsed monotonic time of `body`.
func measure<T>(_ body: () throws -> T) rethrows -> (T, Duration) {
    let clock = ContinuousClock()
    let start = clock.now
    let result = try body()
    return (result, clock.now - start)
}
