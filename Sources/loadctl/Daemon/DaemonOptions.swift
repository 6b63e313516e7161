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
        Console.err("loadctl: \(error)")
        switch error {
        case .unreachable, .permissionDenied: throw ExitCodes.daemonUnreachable
        case .api(let status, _): throw status == 400 || status == 404 || status == 422 ? ExitCodes.badInput : ExitCodes.runFailed
        case .badReply: throw ExitCodes.runFailed
        }
    }
}
