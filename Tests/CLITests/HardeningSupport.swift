import Foundation
import Glibc
import Protocol
import TestSupport
import Testing

/// Polls `GET /v1/status` from a thread of its own while a test does something slow to the
/// daemon, keeping the slowest answer: the daemon must keep answering within a second.
final class StatusProbe: @unchecked Sendable {
    private let socket: String
    private let lock = NSLock()
    private var stopped = false
    private var slowest: Duration = .zero
    private var failures: [String] = []
    private var sawCompiling = false
    private let done = DispatchSemaphore(value: 0)

    init(socket: String) {
        self.socket = socket
        let thread = Thread { [self] in self.loop() }
        thread.start()
    }

    private func loop() {
        while !lock.withLock({ stopped }) {
            let started = ContinuousClock.now
            do {
                let reply = try DaemonHTTP.request(socket, "GET", "/v1/status")
                let took = started.duration(to: .now)
                let compiling = reply.status == 200 && ((try? reply.decode(NodeStatus.self))?.compiling != nil)
                lock.withLock {
                    slowest = max(slowest, took)
                    if compiling { sawCompiling = true }
                    if reply.status != 200 { failures.append("HTTP \(reply.status): \(reply.text)") }
                }
            } catch {
                lock.withLock { failures.append("\(error)") }
            }
            usleep(100_000)
        }
        done.signal()
    }

    /// Stops polling; the slowest answer, whether any showed a scenario compiling, and what failed.
    func finish() -> (slowest: Duration, sawCompiling: Bool, failures: [String]) {
        lock.withLock { stopped = true }
        done.wait()
        return lock.withLock { (slowest, sawCompiling, failures) }
    }
}

extension DaemonFixture {
    /// Writes `text` as a loadd config file in the fixture's folder; the `--config` arguments.
    func config(_ text: String) throws -> [String] {
        let path = "\(directory)/loadd.yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return ["--config", path]
    }

    /// `POST /v1/runs` with a hand-made body (bundles, raw fields).
    func startRaw(_ request: StartRunRequest) throws -> DaemonHTTPReply {
        try post("/v1/runs", String(decoding: try JSONEncoder().encode(request), as: UTF8.self))
    }

    /// Waits until the daemon has no run going (after a stop).
    func waitUntilIdle() throws {
        try eventually("the daemon to be idle", timeout: .seconds(20)) {
            let status = try status()
            return status.compiling == nil && status.run.map { $0.state != .running && $0.state != .stopping } ?? true
        }
    }
}

/// The tools some tests need and a test host may lack: they are skipped without them.
enum HostTools {
    static let isRoot = getuid() == 0
    static func exists(_ path: String) -> Bool { FileManager.default.isExecutableFile(atPath: path) }
    /// `setpriv` to run loadd as another user; `unshare` + `ip` for a namespace with loopback only.
    static let canDropPrivileges = isRoot && exists("/usr/bin/setpriv")
    static let canIsolateNetwork =
        isRoot && exists("/usr/bin/unshare")
        && (exists("/usr/sbin/ip") || exists("/sbin/ip")
            || exists("/usr/bin/ip"))
}
