import ArgumentParser
import Engine
import Foundation
import Glibc
import Protocol
import TargetServer

/// `loadctl ui`: serves loadd's dashboard (`GET /` on the control socket) on a loopback TCP port by
/// relaying to the socket, so a browser on this machine, or on a laptop through `ssh -L`, can open it.
/// Whoever can reach the port can steer loadd as the socket's group can: it listens on loopback
/// unless `--allow-remote` says otherwise.
struct UiCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ui",
        abstract: "Serve loadd's web dashboard on a loopback port (relayed to the control socket).",
        discussion: "Open the printed address in a browser. From another machine, forward the socket instead: "
            + "ssh -L 8089:/run/loadd/loadd.sock load-vm, then http://localhost:8089.")

    @Option(name: .long, help: "Address to listen on, HOST:PORT (port 0 picks a free one).")
    var listen = "127.0.0.1:8089"

    @Option(name: .long, help: "Browser connections relayed at once (1-1024).")
    var maxConnections = 32

    @Flag(name: .long, help: "Allow a non-loopback --listen address: anyone who reaches it can steer loadd.")
    var allowRemote = false

    @Option(name: .long, help: "loadd's control socket (default: $LOADD_SOCKET or /run/loadd/loadd.sock).")
    var socket: String?

    func run() async throws {
        let (host, port): (String, Int)
        do {
            (host, port) = try TargetServer.parseListen(listen)
        } catch {
            throw ValidationError("--listen: \(error)")
        }
        guard SocketRelay.connectionRange.contains(maxConnections) else {
            throw ValidationError(
                "--max-connections: must be \(SocketRelay.connectionRange.lowerBound)-"
                    + "\(SocketRelay.connectionRange.upperBound), got \(maxConnections)")
        }
        guard allowRemote || Self.isLoopback(host) else {
            throw ValidationError(
                "--listen \(listen) is not a loopback address: anyone who reaches it could steer "
                    + "loadd. Use 127.0.0.1 (and ssh -L to reach it from elsewhere), or add --allow-remote")
        }
        let socketPath = DaemonClient.resolveSocket(socket)
        let status: NodeStatus = try withDaemon { try DaemonClient(socketPath: socketPath).get("/v1/status") }
        let relay: SocketRelay
        do {
            relay = try await SocketRelay.start(
                host: host == "localhost" ? "127.0.0.1" : host, port: port,
                socketPath: socketPath, maxConnections: maxConnections)
        } catch {
            Console.err("loadctl ui: cannot listen on \(listen): \(error)")
            throw ExitCodes.badInput
        }
        let shown = host.contains(":") ? "[\(host)]" : host
        Console.out(
            "loadctl ui: dashboard of \(status.node) (\(status.role)) on http://\(shown):\(relay.port)/ "
                + "— relaying to \(socketPath); Ctrl-C stops it")
        let serving = Task { try await relay.run() }
        let signals = SignalEvents([SIGINT, SIGTERM])
        for await _ in signals.events { break }
        signals.cancel()
        await relay.close()
        serving.cancel()
        _ = try? await serving.value
    }

    /// 127.0.0.0/8, ::1 and `localhost`: addresses only this machine can connect to.
    static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }
}
