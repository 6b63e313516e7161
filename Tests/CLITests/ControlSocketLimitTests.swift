import Foundation
import Glibc
import Protocol
import TestSupport
import Testing

extension DaemonTests {
    /// What a client may hold of the control socket: time to send a request, idle time, connections
    /// and lengths; past each the daemon answers (or closes) with a reason and keeps serving.
    @Suite struct ControlSocketLimits {
        /// Reads until the daemon closes the connection; false if it stays open past `timeout`.
        static func closesWithin(_ fd: Int32, _ timeout: Duration) -> Bool {
            let deadline = ContinuousClock.now + timeout
            var buffer = [UInt8](repeating: 0, count: 4096)
            while ContinuousClock.now < deadline {
                let count = recv(fd, &buffer, buffer.count, 0)
                if count == 0 { return true }
                if count < 0 && errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK { return true }
            }
            return false
        }

        @Test func aClientThatSendsNoRequestGets408WithTheReasonAndIsClosed() throws {
            let fixture = try DaemonFixture()
            try fixture.startDaemon(fixture.config("control_request_timeout: 500ms\ncontrol_idle_timeout: 1s\n"))
            let fd = try DaemonHTTP.connect(fixture.socket)
            defer { close(fd) }
            let started = ContinuousClock.now
            let reply = try DaemonHTTP.readReply(fd)
            #expect(reply.status == 408)
            #expect(reply.text.contains("no complete request within"), "\(reply.text)")
            #expect(started.duration(to: .now) < .seconds(5))
            #expect(Self.closesWithin(fd, .seconds(5)))
            #expect(try fixture.get("/v1/status").status == 200)
        }

        @Test func aHalfSentRequestIsAnswered408() throws {
            let fixture = try DaemonFixture()
            try fixture.startDaemon(fixture.config("control_request_timeout: 500ms\n"))
            let fd = try DaemonHTTP.connect(fixture.socket)
            defer { close(fd) }
            DaemonHTTP.send(
                fd, Array("POST /v1/runs HTTP/1.1\r\nHost: loadd\r\nContent-Length: 100\r\n\r\n{\"sce".utf8))
            let reply = try DaemonHTTP.readReply(fd)
            #expect(reply.status == 408, "\(reply.text)")
        }

        @Test func anIdleKeptAliveConnectionIsClosedAfterTheIdleTimeout() throws {
            let fixture = try DaemonFixture()
            try fixture.startDaemon(fixture.config("control_request_timeout: 5s\ncontrol_idle_timeout: 500ms\n"))
            let fd = try DaemonHTTP.connect(fixture.socket)
            defer { close(fd) }
            DaemonHTTP.send(fd, Array("GET /v1/status HTTP/1.1\r\nHost: loadd\r\n\r\n".utf8))
            #expect(try DaemonHTTP.readReply(fd).status == 200)
            let started = ContinuousClock.now
            #expect(Self.closesWithin(fd, .seconds(5)))
            #expect(started.duration(to: .now) >= .milliseconds(400))
        }

        @Test func pastTheConnectionCapANewClientGets503AndStatusWorksOnceOneCloses() throws {
            let fixture = try DaemonFixture()
            try fixture.startDaemon(fixture.config("control_connections: 4\ncontrol_request_timeout: 30s\n"))
            var held: [Int32] = []
            defer { for fd in held { close(fd) } }
            for _ in 0..<4 { held.append(try DaemonHTTP.connect(fixture.socket)) }
            // The daemon accepts in order, so the fifth connection is past the cap.
            let refused = try fixture.get("/v1/status")
            #expect(refused.status == 503)
            #expect(refused.text.contains("maximum of 4 control connections"), "\(refused.text)")
            close(held.removeLast())
            try eventually("status to answer once a connection closed") { try fixture.get("/v1/status").status == 200 }
        }

        @Test func absurdContentLengthsAreRefusedWith400NamingTheHeader() throws {
            let fixture = try DaemonFixture()
            try fixture.startDaemon()
            for length in ["9223372036854775808", "18446744073709551615", "-1", "12abc"] {
                let bytes = Array("POST /v1/runs HTTP/1.1\r\nHost: loadd\r\nContent-Length: \(length)\r\n\r\n{}".utf8)
                let reply = try DaemonHTTP.raw(fixture.socket, bytes)
                // NIO's parser may refuse some of these itself (an empty 400); ours names the header.
                #expect(reply.status == 400, "\(length): \(reply.status) \(reply.text)")
                if !reply.body.isEmpty { #expect(reply.text.contains("content-length"), "\(reply.text)") }
            }
            #expect(try fixture.get("/v1/status").status == 200)
        }
    }
}
