import Foundation
import Glibc
import Protocol
import TestSupport
import Testing

extension DaemonTests {
    /// What systemd sees: notify messages as a service manager reads them, and socket activation.
    @Suite struct Systemd {
        @Test func notifiesReadyOnlyWhenServingThenStatusWatchdogReloadAndStopping() throws {
            let fixture = try DaemonFixture()
            let notifyPath = "\(fixture.directory)/notify.sock"
            let notify = try NotifyListener(path: notifyPath)
            let config = "\(fixture.directory)/loadd.yaml"
            try "node: first-name\n".write(toFile: config, atomically: true, encoding: .utf8)
            var environment = ProcessInfo.processInfo.environment
            environment["NOTIFY_SOCKET"] = notifyPath
            environment["WATCHDOG_USEC"] = "2000000"
            environment["WATCHDOG_PID"] = nil
            let daemon = try fixture.startDaemon(
                ["--config", config], environment: environment, waitUntilServing: false)

            try notify.waitFor("READY=1")
            // READY=1 promises a serving socket: no retry allowed here.
            #expect(try fixture.get("/v1/status").status == 200)
            try notify.waitFor("STATUS=idle")
            try notify.waitFor("WATCHDOG=1")
            try notify.waitFor("WATCHDOG=1", timeout: .seconds(3))

            try "node: second-name\nweight: 2\n".write(toFile: config, atomically: true, encoding: .utf8)
            daemon.signal(SIGHUP)
            try notify.waitFor("RELOADING=1")
            try notify.waitFor("READY=1")
            #expect(try fixture.status().node.rawValue == "second-name")
            #expect(daemon.output.contains("config reloaded"))
            // A fleet key is read once, at start: the reload says so instead of pretending.
            #expect(
                daemon.output.contains("needs a restart") && daemon.output.contains("weight unset → 2.0"),
                "\(daemon.output)")

            daemon.signal(SIGTERM)
            try notify.waitFor("STOPPING=1")
            #expect(daemon.waitForExit() == 0)
        }

        @Test func statusLineNamesTheRunningRun() throws {
            let fixture = try DaemonFixture()
            let target = try TargetProcess(directory: fixture.directory)
            let notifyPath = "\(fixture.directory)/notify.sock"
            let notify = try NotifyListener(path: notifyPath)
            var environment = ProcessInfo.processInfo.environment
            environment["NOTIFY_SOCKET"] = notifyPath
            try fixture.startDaemon(environment: environment)
            let info = try fixture.startRun(target.scenario(users: 2)).decode(RunInfo.self)
            let line = try notify.waitFor("STATUS=running \(info.id): ")
            #expect(line.contains("users") && line.hasSuffix("req/s"), "\(line)")
            #expect(try fixture.post("/v1/runs/current/stop").status == 200)
            try notify.waitFor("STATUS=idle")
        }

        @Test(.enabled(if: SystemRequirement.socketActivate.met, SystemRequirement.socketActivate.reason))
        func adoptsASocketPassedBySystemdSocketActivate() throws {
            let tool = "/usr/bin/systemd-socket-activate"
            let fixture = try DaemonFixture()
            // systemd-socket-activate binds the socket and execs loadd on the first connection.
            let child = try ChildProcess(
                tool,
                [
                    "-l", fixture.socket, "--fdname=control", DaemonBinaries.loadd,
                    "--state-dir", fixture.stateDir, "--socket", "\(fixture.directory)/unused.sock", "--threads", "1",
                ],
                outputPath: "\(fixture.directory)/activated.log")
            try eventually("the activation socket") { FileManager.default.fileExists(atPath: fixture.socket) }
            let reply = try DaemonHTTP.request(fixture.socket, "GET", "/v1/status")
            #expect(reply.status == 200, "\(child.output)")
            #expect(!FileManager.default.fileExists(atPath: "\(fixture.directory)/unused.sock"))
            #expect(child.output.contains("socket_activated=true"), "\(child.output)")
            child.signal(SIGTERM)
            #expect(child.waitForExit() == 0)
            // The socket is systemd's: loadd must leave it for the next activation.
            #expect(FileManager.default.fileExists(atPath: fixture.socket))
        }
    }
}

/// An `AF_UNIX` datagram socket standing in for systemd's notify socket.
final class NotifyListener {
    let fd: Int32
    private var received: [String] = []

    init(path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw DaemonTestError("socket: errno \(errno)") }
        guard withDaemonUnixAddress(path, { bind(fd, $0, $1) }) == 0 else {
            throw DaemonTestError("bind \(path): errno \(errno)")
        }
    }

    /// Waits for the next assignment starting with `prefix` and returns it; everything received before
    /// it is consumed too, so successive waits check the order in which loadd sent them.
    @discardableResult
    func waitFor(_ prefix: String, timeout: Duration = .seconds(15)) throws -> String {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let index = received.firstIndex(where: { $0.hasPrefix(prefix) }) {
                let match = received[index]
                received.removeFirst(index + 1)
                return match
            }
            let left = deadline - ContinuousClock.now
            guard left > .zero else { throw DaemonTestError("no \(prefix) within \(timeout); got \(received)") }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, Int32(left.components.seconds * 1000 + 1)) == 1 else { continue }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = recv(fd, &buffer, buffer.count, 0)
            guard count > 0 else { continue }
            // One datagram may carry several newline-separated assignments.
            received += String(decoding: buffer[..<count], as: UTF8.self).split(separator: "\n").map(String.init)
        }
    }

    deinit { close(fd) }
}
