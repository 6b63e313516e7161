import Foundation
import Glibc
import Protocol
import Testing

extension DaemonTests {
    /// Each malformed request gets its 4xx and a JSON `APIError`, and the daemon keeps serving.
    @Suite struct BadRequests {
        /// One bad request: what is sent, the status expected and a phrase the error must contain.
        struct Case: CustomStringConvertible {
            var description: String
            var bytes: [UInt8]
            var status: Int
            var phrase: String
            /// NIO's own parser answers malformed HTTP with an empty 400, not an `APIError`.
            var jsonError = true
        }

        static func post(_ path: String, _ body: String, headers: [(String, String)] = []) -> [UInt8] {
            DaemonHTTP.requestBytes("POST", path, body: Array(body.utf8), headers: headers)
        }

        static let cases: [Case] = [
            Case(
                description: "body not JSON", bytes: post("/v1/runs", "scenario: yes"), status: 400,
                phrase: "not valid JSON"),
            Case(
                description: "body not an object", bytes: post("/v1/runs", "[1, 2]"), status: 400, phrase: "JSON object"
            ),
            Case(
                description: "unknown field", bytes: post("/v1/runs", #"{"scenario": "x", "user": 5}"#),
                status: 400, phrase: "unknown field 'user'"),
            Case(
                description: "unknown nested field",
                bytes: post("/v1/runs", #"{"scenario": "x", "overrides": {"usrs": 5}}"#),
                status: 400, phrase: "'overrides.usrs'"),
            Case(
                description: "wrong type", bytes: post("/v1/runs/current/users", #"{"users": "many"}"#),
                status: 400, phrase: "field 'users': expected a whole number"),
            Case(
                description: "missing field", bytes: post("/v1/runs", #"{"file": "a.yaml"}"#),
                status: 400, phrase: "missing field 'scenario'"),
            Case(
                description: "bad override",
                bytes: post("/v1/runs", #"{"scenario": "x", "overrides": {"duration": "soon"}}"#),
                status: 400, phrase: "invalid overrides"),
            Case(
                description: "body on reset", bytes: post("/v1/runs/current/reset", #"{"hard": true}"#),
                status: 400, phrase: "unknown field 'hard'"),
            Case(
                description: "unknown route", bytes: DaemonHTTP.requestBytes("GET", "/v1/nothing"), status: 404,
                phrase: "no such endpoint"),
            Case(
                description: "unversioned route", bytes: DaemonHTTP.requestBytes("GET", "/status"), status: 404,
                phrase: "no such endpoint"),
            Case(
                description: "wrong method", bytes: DaemonHTTP.requestBytes("DELETE", "/v1/runs"), status: 405,
                phrase: "DELETE is not allowed"),
            Case(
                description: "path escape", bytes: DaemonHTTP.requestBytes("GET", "/v1/runs/..%2F..%2Fetc"),
                status: 404,
                phrase: "no run"),
            Case(
                description: "dot-dot id", bytes: DaemonHTTP.requestBytes("GET", "/v1/runs/.."), status: 404,
                phrase: "no run"),
            Case(
                description: "nothing to stop", bytes: post("/v1/runs/current/stop", ""), status: 409,
                phrase: "no run is going"),
            Case(
                description: "declared too large",
                bytes: Array("POST /v1/runs HTTP/1.1\r\nHost: loadd\r\nContent-Length: 200000000\r\n\r\n{".utf8),
                status: 413, phrase: "larger than"),
            Case(
                description: "declared too large for a small route",
                bytes: Array(
                    "POST /v1/runs/current/users HTTP/1.1\r\nHost: loadd\r\nContent-Length: 2000000\r\n\r\n{".utf8),
                status: 413, phrase: "larger than"),
            Case(
                description: "streamed too large", bytes: chunked(total: 1_200_000), status: 413, phrase: "larger than"),
            Case(
                description: "not HTTP", bytes: Array("HELLO loadd\r\n\r\n".utf8), status: 400, phrase: "",
                jsonError: false),
        ]

        /// A chunked POST whose body crosses the limit only as it streams: no length to check up front.
        static func chunked(total: Int) -> [UInt8] {
            // Not /v1/runs, whose limit is larger (it carries data files).
            var bytes = Array(
                "POST /v1/runs/current/users HTTP/1.1\r\nHost: loadd\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
            let chunk = [UInt8](repeating: UInt8(ascii: " "), count: 64 * 1024)
            var sent = 0
            while sent < total {
                bytes += Array("\(String(chunk.count, radix: 16))\r\n".utf8) + chunk + Array("\r\n".utf8)
                sent += chunk.count
            }
            return bytes + Array("0\r\n\r\n".utf8)
        }

        @Test func eachBadRequestGetsItsStatusAndTheDaemonKeepsServing() throws {
            let fixture = try DaemonFixture()
            try fixture.startDaemon()
            for badCase in Self.cases {
                let reply = try DaemonHTTP.raw(fixture.socket, badCase.bytes)
                #expect(reply.status == badCase.status, "\(badCase): \(reply.text)")
                if badCase.jsonError {
                    let error = try reply.decode(APIError.self)
                    #expect(
                        error.error.contains(badCase.phrase) || error.details.contains { $0.contains(badCase.phrase) },
                        "\(badCase): \(reply.text)")
                }
                #expect(try fixture.get("/v1/status").status == 200, "status after \(badCase)")
            }
            #expect(fixture.daemon?.process.isRunning == true)
        }

        @Test func anInvalidScenarioIsRefusedWithEveryProblemAndItsLine() throws {
            let fixture = try DaemonFixture()
            try fixture.startDaemon()
            let scenario = """
                name: broken
                host: http://127.0.0.1:1
                users: -3
                tasks:
                  - { weight: 0, request: GET /a }
                colour: blue
                """
            let reply = try fixture.startRun(scenario)
            #expect(reply.status == 400)
            let error = try reply.decode(APIError.self)
            let file = "\(fixture.directory)/scenario.yaml"
            #expect(error.error.contains("not valid"))
            #expect(error.details.contains { $0.hasPrefix("\(file):3:") && $0.contains("users") }, "\(error.details)")
            #expect(error.details.contains { $0.hasPrefix("\(file):5:") && $0.contains("weight") }, "\(error.details)")
            #expect(error.details.contains { $0.hasPrefix("\(file):6:1: colour") }, "\(error.details)")
            #expect(try fixture.status().run == nil)
            #expect(try fixture.get("/v1/runs").decode([RunInfo].self).isEmpty)
        }

        @Test func keepAliveConnectionsSurviveARefusedRequest() throws {
            let fixture = try DaemonFixture()
            try fixture.startDaemon()
            let fd = try DaemonHTTP.connect(fixture.socket)
            defer { _ = close(fd) }
            let keepAlive = { (method: String, path: String, body: String?) -> [UInt8] in
                var head = "\(method) \(path) HTTP/1.1\r\nHost: loadd\r\n"
                if let body { head += "Content-Length: \(body.utf8.count)\r\n\r\n\(body)" } else { head += "\r\n" }
                return Array(head.utf8)
            }
            DaemonHTTP.send(fd, keepAlive("POST", "/v1/runs", "{nope"))
            #expect(try DaemonHTTP.readReply(fd).status == 400)
            DaemonHTTP.send(fd, keepAlive("GET", "/v1/status", nil))
            #expect(try DaemonHTTP.readReply(fd).status == 200)
        }
    }
}
