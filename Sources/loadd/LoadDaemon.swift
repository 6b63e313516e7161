import ArgumentParser
import Foundation
import LoaddCore
import Logging
import Protocol
import SystemdSupport

/// `loadd`: the node daemon. Serves the control API on a Unix socket and runs one test at a time.
@main
struct LoadDaemon: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loadd",
        abstract: "The loadd node daemon: runs load tests driven by `loadctl` over a Unix socket.",
        discussion: """
            Settings come from the config file (default \(DaemonSettings.defaultConfigPath); every key optional); \
            flags override it. Without either, the socket is $RUNTIME_DIRECTORY/loadd.sock or \
            /run/loadd/loadd.sock and runs are stored in $STATE_DIRECTORY or \(DaemonSettings.defaultStateDir). \
            SIGTERM stops the run, writes its results and exits 0; SIGHUP reloads the config.
            """,
        version: LoaddVersion.current)

    @Option(
        name: .long,
        help: "Config file (YAML). A missing default file means defaults; a missing named file is an error.")
    var config: String?

    @Option(name: .long, help: "Control socket path (when not socket-activated).")
    var socket: String?

    @Option(name: .customLong("state-dir"), help: "Run store folder; runs go to STATE_DIR/runs/ID/.")
    var stateDir: String?

    @Option(name: .long, help: "This node's name in logs and status (default: the host name).")
    var node: String?

    @Option(name: .long, help: "Engine threads per run (0 = one per core).")
    var threads: Int?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    /// Lets tests play a worker of another protocol version and see the master refuse it.
    @Option(name: .customLong("federation-protocol-version"), help: .hidden)
    var federationProtocolVersion: UInt16?

    func validate() throws {
        if let threads, threads < 0 { throw ValidationError("--threads must be 0 or more") }
        if Logger.Level(rawValue: logLevel) == nil {
            throw ValidationError("--log-level must be one of: trace, debug, info, notice, warning, error, critical")
        }
        for (flag, value) in [("--socket", socket), ("--state-dir", stateDir), ("--config", config)] {
            if let value, value.isEmpty { throw ValidationError("\(flag) must not be empty") }
        }
    }

    func run() async throws {
        let backend = LoggingSetup.bootstrap(level: Logger.Level(rawValue: logLevel) ?? .info)
        let current = FileManager.default.currentDirectoryPath
        // Relative paths would follow the daemon's working directory, which is `/` under systemd.
        func absolute(_ path: String?) -> String? {
            path.map { $0.hasPrefix("/") ? $0 : "\(current)/\($0)" }
        }
        let daemon = Daemon(
            configPath: absolute(config) ?? DaemonSettings.defaultConfigPath, configRequired: config != nil,
            flags: FlagOverrides(
                socket: absolute(socket), stateDir: absolute(stateDir), node: node, threads: threads,
                federationProtocolVersion: federationProtocolVersion),
            logBackend: backend)
        do {
            try await daemon.run()
        } catch let error as DaemonStartError {
            Logger(label: "loadd").critical("cannot start: \(error.message)")
            SystemdNotifier().status("failed: \(error.message)")
            throw ExitCode.failure
        }
    }
}
