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
    var byPath: [String: Int]

    enum CodingKeys: String, CodingKey {
        case requests, unmatched, byPath = "by_path"
    }
}

/// `GET /control` as the wire carries it.
struct ControlBody: Decodable, Equatable {
    var delayMs: Double
    var slowFraction: Double
    var slowMs: Double
    var errorFraction: Double
    var errorStatus: Int
    var stallMs: Double

    enum CodingKeys: String, CodingKey {
        case delayMs = "delay_ms", slowFraction = "slow_fraction", slowMs = "slow_ms"
        case errorFraction = "error_fraction", errorStatus = "error_status", stallMs = "stall_ms"
    }
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
