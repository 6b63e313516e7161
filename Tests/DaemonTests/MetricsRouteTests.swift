import Foundation
import Glibc
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Protocol
import SystemdSupport
import Testing

@testable import LoaddCore

/// `GET /metrics` on the control API and on `metrics_listen:` (real TCP on 127.0.0.1), in-process.
@Suite struct MetricsRouteTests {
    static func manager() throws -> RunManager {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("metrics-\(UUID().uuidString)").path
        let settings = NodeSettings(
            node: NodeID(rawValue: "n1"), role: .standalone, threads: 1,
            capacity: UserCapacity(openFilesLimit: 1024, configured: 0), dataDir: dir,
            retention: RunRetention.defaults)
        return RunManager(
            settings: settings, store: try RunStore(stateDir: dir), notifier: SystemdNotifier(),
            logger: Logger(label: "test"))
    }

    @Test func theControlAPIServesTheExpositionAsPrometheusText() async throws {
        let router = Router.controlAPI(try Self.manager())
        let response = await router.respond(to: APIRequest(method: .GET, path: "/metrics", body: []))
        #expect(response.status == .ok)
        #expect(response.contentType.hasPrefix("text/plain; version=0.0.4"))
        let text = String(decoding: response.body, as: UTF8.self)
        #expect(
            text.contains("loadd_build_info{version=\"\(LoaddVersion.current)\",node=\"n1\",role=\"standalone\"} 1"))
        // The JSON API is still there beside it.
        #expect(await router.respond(to: APIRequest(method: .GET, path: "/v1/status", body: [])).status == .ok)
    }

    @Test func theMetricsOnlyRouterRefusesEverythingElse() async throws {
        let router = Router.metricsOnly(try Self.manager())
        for path in ["/", "/v1/status", "/v1/runs", "/metrics/x"] {
            #expect(
                await router.respond(to: APIRequest(method: .GET, path: path, body: [])).status == .notFound, "\(path)")
        }
        #expect(
            await router.respond(to: APIRequest(method: .POST, path: "/v1/runs/current/stop", body: [])).status
                == .notFound)
        #expect(
            await router.respond(to: APIRequest(method: .POST, path: "/metrics", body: [])).status == .methodNotAllowed)
    }

    @Test(.timeLimit(.minutes(1)))
    func theTCPListenerAnswersMetricsAnd404ToAnythingElse() async throws {
        let port = try Self.freePort()
        let (address, problem) = MetricsAddress.parse("127.0.0.1:\(port)")
        #expect(problem == nil)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let server = try await MetricsListener.start(
            try #require(address), group: group, manager: try Self.manager(),
            logger: Logger(label: "test"))
        let serving = Task { await server.run() }
        let metrics = try Self.get("/metrics", port: port)
        #expect(metrics.hasPrefix("HTTP/1.1 200"))
        #expect(metrics.lowercased().contains("content-type: text/plain; version=0.0.4"))
        #expect(metrics.contains("loadd_build_info{"))
        let status = try Self.get("/v1/status", port: port)
        #expect(status.hasPrefix("HTTP/1.1 404"))
        #expect(!status.contains("\"node\""))
        await server.close()
        serving.cancel()
        await serving.value
        try await group.shutdownGracefully()
    }

    @Test func metricsListenTakesAnIPAndAPortAndNamesWhatIsWrong() throws {
        #expect(MetricsAddress.parse("127.0.0.1:9557").0?.description == "127.0.0.1:9557")
        #expect(MetricsAddress.parse("[::1]:9557").0?.description == "[::1]:9557")
        #expect(MetricsAddress.parse("localhost:9557").0?.host == "127.0.0.1")
        #expect(MetricsAddress.parse("127.0.0.1:0").1?.contains("1 to 65535") == true)
        #expect(MetricsAddress.parse("127.0.0.1:70000").1?.contains("1 to 65535") == true)
        #expect(MetricsAddress.parse("metrics.example:9557").1?.contains("IP address") == true)
        #expect(MetricsAddress.parse("9557").1?.contains("HOST:PORT") == true)
        let config = try ConfigFile.parse(yaml: "metrics_listen: 127.0.0.1:9557\n", file: "loadd.yaml")
        #expect(config.metricsListen?.port == 9557)
        #expect(throws: ConfigError.self) {
            try ConfigFile.parse(yaml: "metrics_listen: 0.0.0.0:99999\n", file: "loadd.yaml")
        }
        do {
            _ = try ConfigFile.parse(yaml: "metrics_listen: nope:1\n", file: "loadd.yaml")
        } catch let error as ConfigError {
            #expect(error.description.hasPrefix("loadd.yaml:1:"))
            #expect(error.description.contains(": metrics_listen: expected an IP address"))
        }
    }

    /// A port nothing listens on now (the kernel's pick for port 0).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard ok else { throw POSIXError(.EADDRINUSE) }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// One HTTP/1.1 GET over a plain socket; the whole answer, head and body.
    static func get(_ path: String, port: Int) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            answer += buffer[0..<n]
        }
        return String(decoding: answer, as: UTF8.self)
    }
}
