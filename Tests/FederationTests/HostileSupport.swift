import Foundation
import Glibc
import Logging
import NIOCore
import NIOPosix
import Protocol

@testable import Federation

/// A master on 127.0.0.1 with the given connection limits (`LoopbackMaster.start` takes the defaults).
func startMaster(limits: ConnectionLimits, heartbeatTimeout: Duration = .seconds(30)) async throws -> LoopbackMaster {
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    var logger = Logger(label: "test-master")
    logger.logLevel = ProcessInfo.processInfo.environment["FEDERATION_TEST_LOG"] == nil ? .critical : .debug
    let master = FederationMaster(
        configuration: MasterConfiguration(
            node: NodeID(rawValue: "master"), host: "127.0.0.1", port: 0, token: testToken,
            heartbeatTimeout: heartbeatTimeout, version: "test", limits: limits),
        group: group, logger: logger)
    let port = try await master.start()
    return LoopbackMaster(master: master, port: port, group: group)
}

/// A raw client whose connection comes from `source` (any 127.x.y.z is this host's loopback), so
/// tests can play several addresses against the master's per-address cap.
func rawClient(port: Int, from source: String = "127.0.0.1", timeout: Int = 5) throws -> RawFrameClient {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw TestFailure("socket: errno \(errno)") }
    func address(_ ip: String, _ port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        inet_pton(AF_INET, ip, &address.sin_addr)
        return address
    }
    var local = address(source, 0)
    var remote = address("127.0.0.1", port)
    let bound = withUnsafePointer(to: &local) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    let connected = withUnsafePointer(to: &remote) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    guard bound == 0, connected == 0 else {
        let code = errno
        close(fd)
        throw TestFailure("connect from \(source) to 127.0.0.1:\(port): errno \(code)")
    }
    return RawFrameClient(adopting: fd, timeout: timeout)
}

/// A hello in range unless the test says otherwise.
func hello(_ name: String, cores: Int = 1, weight: Double = 1, maxUsers: Int = 10_000) -> Hello {
    Hello(
        node: NodeID(rawValue: name), loaddVersion: "raw", cores: cores, threads: 1, maxUsers: maxUsers, weight: weight,
        nonce: FleetToken.nonce())
}

/// Runs the whole handshake on a raw client: it is a member when this returns.
func join(_ client: RawFrameClient, as name: String) async throws {
    try client.send(.hello(hello(name)))
    guard case .challenge(let challenge) = try await client.receive() else { throw TestFailure("expected a challenge") }
    try client.send(
        .proof(Proof(mac: testToken.workerProof(masterNonce: challenge.nonce, node: NodeID(rawValue: name)))))
    guard case .welcome = try await client.receive() else { throw TestFailure("expected welcome") }
}

/// A message as the frame payload a peer would send (binary for the per-second kinds).
func payload(_ message: FederationMessage) throws -> [UInt8] {
    var frame = ByteBuffer()
    try FrameEncoder().encode(data: message, out: &frame)
    frame.moveReaderIndex(forwardBy: 4)
    return Array(frame.readableBytesView)
}

/// This process's resident memory, from /proc/self/status.
func residentBytes() throws -> Int {
    let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
    guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
        let kb = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
    else {
        throw TestFailure("no VmRSS in /proc/self/status")
    }
    return kb * 1024
}
