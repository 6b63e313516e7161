import Foundation
import Glibc
import Protocol
import TestSupport
import Testing

/// Debian's `prometheus` and `promtool`, when installed (`make test-deps`).
enum PrometheusTools {
    static let prometheus = "/usr/bin/prometheus"
    static let promtool = "/usr/bin/promtool"
    static var available: Bool {
        FileManager.default.isExecutableFile(atPath: prometheus)
            && FileManager.default.isExecutableFile(atPath: promtool)
    }
}

extension DaemonTests {
    /// A real Prometheus scraping `metrics_listen:` every second while a real run goes.
    @Suite struct PrometheusScrape {
        @Test(.enabled(if: PrometheusTools.available, "needs Debian's prometheus package (apt-get install prometheus)"))
        func prometheusScrapesTheRunsTotalAndPromtoolAcceptsTheExposition() throws {
            let fixture = try DaemonFixture()
            let target = try TargetProcess(directory: fixture.directory)
            let metricsPort = try freeLoopbackPort()
            let config = fixture.directory + "/loadd.yaml"
            try "metrics_listen: 127.0.0.1:\(metricsPort)\n".write(toFile: config, atomically: true, encoding: .utf8)
            try fixture.startDaemon(["--config", config])
            try eventually("metrics_listen to accept") { canConnect(port: metricsPort) }

            let prometheusPort = try freeLoopbackPort()
            let prometheusConfig = fixture.directory + "/prometheus.yml"
            try """
            global: { scrape_interval: 1s, evaluation_interval: 1s }
            scrape_configs:
              - job_name: loadd
                scrape_interval: 1s
                static_configs: [ { targets: ["127.0.0.1:\(metricsPort)"] } ]
            """.write(toFile: prometheusConfig, atomically: true, encoding: .utf8)
            let prometheus = try ChildProcess(
                PrometheusTools.prometheus,
                [
                    "--config.file=\(prometheusConfig)", "--storage.tsdb.path=\(fixture.directory)/tsdb",
                    "--web.listen-address=127.0.0.1:\(prometheusPort)",
                ], outputPath: fixture.directory + "/prometheus.log")
            try eventually("prometheus to be ready", timeout: .seconds(30)) {
                guard prometheus.process.isRunning else {
                    throw DaemonTestError("prometheus exited: \(prometheus.output)")
                }
                return try TCPGet.get("/-/ready", port: prometheusPort).status == 200
            }

            #expect(try fixture.startRun(target.scenario(users: 4, duration: "4s")).status == 201)
            try eventually("the run's verdict", timeout: .seconds(30)) {
                let state = try fixture.status().run?.state
                return state == .passed || state == .failed
            }
            let run = try #require(try fixture.status().run)
            let summary = try fixture.get("/v1/runs/\(run.id)").decode(RunSummary.self)
            #expect(summary.total.requests > 0)

            // The exposition as Prometheus gets it, checked by Prometheus' own linter.
            let exposition = try TCPGet.get("/metrics", port: metricsPort)
            #expect(exposition.status == 200)
            #expect(exposition.body.contains("loadd_run_info{run_id=\"\(run.id)\""))
            let lint = try Self.promtoolCheck(exposition.body, directory: fixture.directory)
            #expect(lint.status == 0, "promtool: \(lint.output)")

            // Prometheus answers the run's total once it has scraped the final figures.
            let query = "sum(loadd_requests_total{run_id=\"\(run.id)\"})"
            var answered = ""
            try eventually("prometheus to answer the run's total \(summary.total.requests)", timeout: .seconds(30)) {
                let reply = try TCPGet.get("/api/v1/query?query=" + Self.urlEncoded(query), port: prometheusPort)
                answered = reply.body
                return Self.queryValue(reply.body) == Double(summary.total.requests)
            }
            #expect(Self.queryValue(answered) == Double(summary.total.requests))
            // Both histograms reached Prometheus too.
            let buckets = try TCPGet.get(
                "/api/v1/query?query="
                    + Self.urlEncoded(
                        "sum(loadd_request_duration_seconds_count{run_id=\"\(run.id)\"})"), port: prometheusPort)
            #expect(Self.queryValue(buckets.body) == Double(summary.total.requests))
            // Nothing but /metrics over TCP.
            #expect(try TCPGet.get("/v1/status", port: metricsPort).status == 404)
            #expect(try TCPGet.get("/", port: metricsPort).status == 404)
            prometheus.signal(SIGTERM)
            _ = prometheus.waitForExit()
        }

        /// `promtool check metrics` reads the exposition on stdin.
        static func promtoolCheck(_ text: String, directory: String) throws -> (status: Int32, output: String) {
            let input = directory + "/exposition.txt"
            try text.write(toFile: input, atomically: true, encoding: .utf8)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: PrometheusTools.promtool)
            process.arguments = ["check", "metrics"]
            process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: input))
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: data, as: UTF8.self))
        }

        static func urlEncoded(_ text: String) -> String {
            text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
        }

        /// The value of an instant query's first sample: `"value":[TIME,"VALUE"]`.
        static func queryValue(_ body: String) -> Double? {
            guard let data = body.data(using: .utf8),
                let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                let result = (json["data"] as? [String: Any])?["result"] as? [[String: Any]],
                let value = result.first?["value"] as? [Any], value.count == 2, let text = value[1] as? String
            else {
                return nil
            }
            return Double(text)
        }
    }
}

/// One HTTP/1.1 GET to 127.0.0.1 over a plain socket, `Connection: close`.
enum TCPGet {
    struct Reply {
        var status: Int
        var head: String
        var body: String
    }

    static func get(_ path: String, port: Int) throws -> Reply {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw DaemonTestError("cannot connect to 127.0.0.1:\(port)") }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            answer += buffer[0..<n]
        }
        let text = String(decoding: answer, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else {
            throw DaemonTestError("no HTTP answer from port \(port): \(text)")
        }
        let head = String(text[..<split.lowerBound])
        let status = head.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        var body = String(text[split.upperBound...])
        if head.lowercased().contains("transfer-encoding: chunked") { body = dechunked(body) }
        return Reply(status: status, head: head, body: body)
    }

    /// A chunked body joined (Go's server chunks answers it does not know the length of).
    private static func dechunked(_ text: String) -> String {
        var rest = Substring(text)
        var out = ""
        while let end = rest.range(of: "\r\n"), let size = Int(rest[..<end.lowerBound], radix: 16), size > 0 {
            let start = end.upperBound
            let chunk = rest.utf8.dropFirst(rest.utf8.distance(from: rest.startIndex, to: start)).prefix(size)
            out += String(decoding: chunk, as: UTF8.self)
            rest = Substring(
                String(
                    decoding: rest.utf8.dropFirst(rest.utf8.distance(from: rest.startIndex, to: start) + size + 2),
                    as: UTF8.self))
        }
        return out
    }
}
