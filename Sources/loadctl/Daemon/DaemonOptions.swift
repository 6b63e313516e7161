import ArgumentParser

/// `--socket` and `--json`, which every daemon command takes.
struct DaemonOptions: ParsableArguments {
    @Option(name: .long, help: "loadd's control socket (default: $LOADD_SOCKET or /run/loadd/loadd.sock).")
    var socket: String?

    @Flag(name: .long, help: "Print the daemon's answer as JSON.")
    var json = false

    var client: DaemonClient { DaemonClient(socketPath: DaemonClient.resolveSocket(socket)) }
}

/// Runs a daemon call and turns client errors into loadctl's exit codes and messages.
func withDaemon<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as DaemonClientError {
        switch error {
        case .unreachable, .permissionDenied:
            Console.err("loadctl: \(error)")
            throw ExitCodes.daemonUnreachable
        case .api(let status, _) where status == 409 || status == 503:
            // A refusal, not a failed test: one line saying why comes first, the daemon's details follow.
            Console.err("loadctl: refused: \(error)")
            throw ExitCodes.refused
        case .api(let status, _):
            Console.err("loadctl: \(error)")
            throw (400..<500).contains(status) ? ExitCodes.badInput : ExitCodes.runFailed
        case .badReply:
            Console.err("loadctl: \(error)")
            throw ExitCodes.runFailed
        }
    }
}
