import Foundation
import Glibc
import Protocol
import TestSupport
import Testing

/// A fleet of real daemons on loopback: a master listening on a free 127.0.0.1 port and any number
/// of workers dialling it, all with a 1 s heartbeat timeout so losses show quickly. Every daemon
/// lives in its own `DaemonFixture` folder and is killed when the cluster goes away.
final class FleetCluster {
    let master = try! DaemonFixture()
    let port: Int
    var tokenPath: String { master.directory + "/token" }
    private(set) var workers: [String: DaemonFixture] = [:]
    static let heartbeatTimeout = "1s"

    /// `settings` adds lines to the master's config.
    init(masterSettings settings: String = "") throws {
        port = try freeLoopbackPort()
        try "fleet-test-token-\(UUID().uuidString)\n".write(toFile: tokenPath, atomically: true, encoding: .utf8)
        chmod(tokenPath, 0o600)   // loadd refuses a token file others can read
        let config = master.directory + "/loadd.yaml"
        try """
        role: master
        listen: 127.0.0.1:\(port)
        token_file: \(tokenPath)
        heartbeat_timeout: \(Self.heartbeatTimeout)
        \(settings)
        """.write(toFile: config, atomically: true, encoding: .utf8)
        try startMaster()
    }

    /// (Re)starts the master daemon on the cluster's port.
    func startMaster() throws {
        try master.startDaemon(["--config", master.directory + "/loadd.yaml", "--node", "master"])
        let port = self.port
        try eventually("the master to listen on \(port)") { canConnect(port: port) }
    }

    /// Starts worker `name`; `token` names another token file (to be refused), `extra` adds flags,
    /// `settings` adds config lines.
    @discardableResult
    func addWorker(
        _ name: String, token: String? = nil, extra: [String] = [], settings: String = ""
    ) throws -> DaemonFixture {
        let worker = try DaemonFixture()
        let config = worker.directory + "/loadd.yaml"
        try """
        role: worker
        master: 127.0.0.1:\(port)
        token_file: \(token ?? tokenPath)
        heartbeat_timeout: \(Self.heartbeatTimeout)
        \(settings)
        """.write(toFile: config, atomically: true, encoding: .utf8)
        try worker.startDaemon(["--config", config, "--node", name] + extra)
        workers[name] = worker
        return worker
    }

    func worker(_ name: String) -> DaemonFixture { workers[name]! }

    /// `GET /v1/workers` on the master.
    func listed() throws -> [WorkerInfo] { try master.get("/v1/workers").decode([WorkerInfo].self) }

    /// Users per worker as the master assigned them, in name order.
    func shares() throws -> [String: Int] {
        Dictionary(uniqueKeysWithValues: try listed().map { ($0.node.rawValue, $0.users) })
    }

    func waitForWorkers(_ names: [String], timeout: Duration = .seconds(10)) throws {
        try eventually("workers \(names) to join", timeout: timeout) { try listed().map(\.node.rawValue) == names }
    }

}

/// A run's summary on one node, once that node has recorded its verdict.
func finishedSummary(_ id: RunID, on node: DaemonFixture, timeout: Duration = .seconds(20)) throws -> RunSummary {
    try eventually("run \(id) to finish on \(node.directory)", timeout: timeout) {
        try node.get("/v1/runs").decode([RunInfo].self).first { $0.id == id }.map {
            $0.state != .running && $0.state != .stopping
        } ?? false
    }
    return try node.get("/v1/runs/\(id)").decode(RunSummary.self)
}

/// One HTTP exchange over plain TCP to 127.0.0.1 (no proxy settings can interfere): the raw reply.
func loopbackExchange(port: Int, send bytes: [UInt8], timeout: Int = 5) throws -> [UInt8] {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    defer { close(fd) }
    var limit = timeval(tv_sec: timeout, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(port).bigEndian
    address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    guard connected == 0 else { throw DaemonTestError("connect 127.0.0.1:\(port): errno \(errno)") }
    _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    var reply: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n == 0 || (n < 0 && errno == ECONNRESET) { return reply }
        if n < 0 {
            if errno == EINTR { continue }
            throw DaemonTestError("no end of the connection to 127.0.0.1:\(port) within \(timeout) s (errno \(errno))")
        }
        reply += buffer[0..<n]
    }
}

extension TargetProcess {
    /// Requests the built-in target has answered so far (its `GET /stats` counter).
    func requestsServed() throws -> Int {
        let reply = try loopbackExchange(
            port: port, send: Array("GET /stats HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".utf8))
        let text = String(decoding: reply, as: UTF8.self)
        guard let range = text.range(of: #""requests":"#) else { throw DaemonTestError("no counter in: \(text)") }
        return Int(text[range.upperBound...].prefix { $0.isNumber }) ?? 0
    }
}
