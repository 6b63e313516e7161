import Foundation
import Glibc
import Protocol
import TestSupport
import Testing

/// The daemon tests, one at a time: each starts real processes that generate load, and two cores
/// shared by parallel runs would make their timing meaningless.
@Suite(.serialized, .timeLimit(.minutes(3))) struct DaemonTests {}

struct DaemonTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// `loadd` and `loadctl` as built for this test run: next to the test bundle, because CLITests
/// depends on both products.
enum DaemonBinaries {
    static let directory: String = {
        let exe =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var folder = (exe as NSString).deletingLastPathComponent
        // The bundle may sit inside `X.xctest/` on some layouts; the binaries are beside that folder.
        while !folder.isEmpty && folder != "/" && !FileManager.default.isExecutableFile(atPath: folder + "/loadd") {
            folder = (folder as NSString).deletingLastPathComponent
        }
        return folder
    }()
    static var loadd: String { directory + "/loadd" }
    static var loadctl: String { directory + "/loadctl" }
}

/// A child process, killed with SIGKILL when this object goes away if it is still running, so a
/// failing test never leaves a load generator behind.
final class ChildProcess {
    let process = Process()
    let outputPath: String

    init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil, outputPath: String) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        self.outputPath = outputPath
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        process.standardOutput = output
        process.standardError = output
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }
    var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }

    func signal(_ number: Int32) { kill(pid, number) }

    /// The exit status once it exits within `timeout`, else `nil`.
    func waitForExit(timeout: Duration = .seconds(20)) -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now > deadline { return nil }
            usleep(20_000)
        }
        return process.terminationStatus
    }

    deinit {
        if process.isRunning {
            kill(pid, SIGKILL)
            process.waitUntilExit()
        }
    }
}

/// A temporary folder with a daemon's socket and state directory; kills what it started and removes
/// itself when released.
final class DaemonFixture {
    let directory: String
    var socket: String { directory + "/loadd.sock" }
    var stateDir: String { directory + "/state" }
    private(set) var daemon: ChildProcess?
    private var launches = 0

    init() throws {
        var template = Array("/tmp/loadd-daemon-test-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw DaemonTestError("mkdtemp failed") }
        directory = String(cString: made)
    }

    /// Starts `loadd` on the fixture's socket and state directory with one engine thread, and waits
    /// until its status answers (unless `waitUntilServing` is false).
    @discardableResult
    func startDaemon(
        _ extraArguments: [String] = [], environment: [String: String]? = nil,
        waitUntilServing: Bool = true
    ) throws -> ChildProcess {
        launches += 1
        var env = environment ?? ProcessInfo.processInfo.environment
        env["LOADD_LOG"] = "stderr"
        let child = try ChildProcess(
            DaemonBinaries.loadd,
            ["--socket", socket, "--state-dir", stateDir, "--threads", "1", "--log-level", "debug"] + extraArguments,
            environment: env, outputPath: "\(directory)/loadd-\(launches).log")
        daemon = child
        if waitUntilServing {
            try eventually("loadd to serve on \(socket)") {
                guard child.process.isRunning else { throw DaemonTestError("loadd exited: \(child.output)") }
                return (try? DaemonHTTP.request(socket, "GET", "/v1/status").status) == 200
            }
        }
        return child
    }

    /// SIGTERM, and the exit status (nil if it did not exit in time).
    func stopDaemon() -> Int32? {
        guard let daemon else { return nil }
        daemon.signal(SIGTERM)
        defer { self.daemon = nil }
        return daemon.waitForExit()
    }

    func get(_ path: String) throws -> DaemonHTTPReply { try DaemonHTTP.request(socket, "GET", path) }

    func post(_ path: String, _ body: String? = nil) throws -> DaemonHTTPReply {
        try DaemonHTTP.request(socket, "POST", path, body: body)
    }

    func status() throws -> NodeStatus { try get("/v1/status").decode(NodeStatus.self) }

    /// Starts a run of `scenario` over raw HTTP; the reply as is.
    func startRun(
        _ scenario: String, overrides: RunOverrides = RunOverrides(),
        secretVars: [String: String] = [:]
    ) throws -> DaemonHTTPReply {
        var request = StartRunRequest(scenario: scenario, file: "\(directory)/scenario.yaml", overrides: overrides)
        if !secretVars.isEmpty {
            request.vars = secretVars
            request.secretVars = secretVars.keys.sorted()
        }
        return try post("/v1/runs", String(decoding: try JSONEncoder().encode(request), as: UTF8.self))
    }

    /// Runs `loadctl` against this daemon; its exit status and everything it printed.
    func loadctl(_ arguments: [String], timeout: Duration = .seconds(30)) throws -> (status: Int32, output: String) {
        let child = try ChildProcess(
            DaemonBinaries.loadctl, arguments + ["--socket", socket],
            outputPath: "\(directory)/loadctl-\(UUID().uuidString).log")
        guard let status = child.waitForExit(timeout: timeout) else {
            throw DaemonTestError("loadctl \(arguments) did not finish: \(child.output)")
        }
        return (status, child.output)
    }

    deinit {
        daemon = nil
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// The built-in target (`loadctl target`) on a free loopback port.
final class TargetProcess {
    let port: Int
    let child: ChildProcess
    var host: String { "http://127.0.0.1:\(port)" }

    init(directory: String) throws {
        port = try freeLoopbackPort()
        child = try ChildProcess(
            DaemonBinaries.loadctl, ["target", "--listen", "127.0.0.1:\(port)"],
            outputPath: "\(directory)/target.log")
        let port = self.port
        try eventually("the target to listen on \(port)") { canConnect(port: port) }
    }

    /// A closed-model scenario against this target; `duration: nil` runs until stopped.
    func scenario(users: Int = 4, duration: String? = nil, name: String = "daemon-test") -> String {
        """
        name: \(name)
        host: \(host)
        users: \(users)
        spawn_rate: \(users * 10)
        \(duration.map { "duration: \($0)" } ?? "")
        wait: { constant: 10ms }
        tasks:
          - { weight: 3, request: GET /Test/V1 }
          - { weight: 1, request: GET /Test/V3 }
        thresholds: [ "failures == 0" ]
        """
    }
}

/// A port nothing listens on right now (the kernel's pick of an ephemeral one).
func freeLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = loopback(port: 0)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let ok = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
        }
    }
    guard ok else { throw DaemonTestError("no free port: errno \(errno)") }
    return Int(UInt16(bigEndian: address.sin_port))
}

func canConnect(port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = loopback(port: port)
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
        }
    }
}

private func loopback(port: Int) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(port).bigEndian
    address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
    return address
}
