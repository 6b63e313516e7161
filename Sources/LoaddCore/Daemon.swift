import Engine
import Foundation
import Glibc
import Logging
import NIOCore
import NIOPosix
import Protocol
import SystemdSupport
import UnixSignals

/// Brings the daemon up in order (config, limits, socket, run store, fleet role, servers), then
/// runs its services in one `ServiceGroup` until SIGTERM/SIGINT, reloading on SIGHUP, and shuts
/// them down in reverse order: STOPPING=1, the run stopped and its results written, the fleet link
/// closed, the watchdog stopped, the control socket closed last.
public struct Daemon: Sendable {
    let configPath: String
    let configRequired: Bool
    let flags: FlagOverrides
    let logBackend: LogBackend

    public init(configPath: String, configRequired: Bool, flags: FlagOverrides, logBackend: LogBackend) {
        self.configPath = configPath
        self.configRequired = configRequired
        self.flags = flags
        self.logBackend = logBackend
    }

    private var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// Starts the daemon and serves until a stop signal. - Throws: `DaemonStartError` when it
    /// cannot start (the caller exits 1).
    public func run() async throws {
        try await start().run()
    }

    /// Everything up to serving: after this returns the control socket accepts (its requests are
    /// answered once `run()` runs the services). `trapsSignals: false` leaves signals alone, for a
    /// daemon in a test process. - Throws: `DaemonStartError`, having closed what it opened.
    func start(trapsSignals: Bool = true) async throws -> StartedDaemon {
        var signals: UnixSignalsSequence?
        if trapsSignals {
            // The default disposition would end (or for SIGHUP, kill) loadd before the source sees
            // the signal; the source reads it through signalfd-like machinery all the same.
            for number in [SIGTERM, SIGINT, SIGHUP] { signal(number, SIG_IGN) }
            // Trapped before anything slow: a stop signal during start-up waits in the sequence
            // and stops loadd right after READY=1, as systemd expects.
            signals = await UnixSignalsSequence(trapping: .sigterm, .sigint, .sighup)
        }
        // NIO writes with MSG_NOSIGNAL, libcurl is told NOSIGNAL; this covers any other write to a closed peer.
        signal(SIGPIPE, SIG_IGN)
        let notifier = SystemdNotifier()

        let settings = try loadSettings()
        let logger = Self.logger(for: settings)
        let limits = FileDescriptorLimit.raiseSoftToHard()
        let capacity = UserCapacity(openFilesLimit: limits.soft, configured: settings.maxUsersSetting)
        // The socket first: when another loadd answers on it, this one must touch nothing, runs included.
        let activated = SocketActivation.listenFDs()
        let socket: ControlSocket
        do {
            socket = try ControlSocket.open(path: settings.socketPath, activated: activated)
        } catch let error as ControlSocketError {
            throw DaemonStartError(message: error.description)
        }
        let store: RunStore
        do {
            store = try RunStore(stateDir: settings.stateDir)
        } catch let error as StoreLockedError {
            socket.closeAndRemove()
            throw DaemonStartError(message: error.description)
        } catch {
            socket.closeAndRemove()
            throw DaemonStartError(message: "cannot use state directory \(settings.stateDir): \(error)")
        }
        // A run the previous daemon left going is carried on if it can be (`RunResumption`), once
        // the fleet is up; the others are closed `interrupted`, each with the reason.
        let resumption = RunResumption.decide(
            store: store, within: settings.resumeWithin, role: settings.role,
            now: Date().timeIntervalSince1970)
        for info in store.markInterrupted(except: resumption.resume?.id, reasons: resumption.reasons) {
            logger.notice(
                "run marked interrupted: loadd ended while it was going",
                metadata: [
                    "loadd_run_id": "\(info.id)", "requests": "\(info.requests)", "failures": "\(info.failures)",
                    "reason": "\(resumption.reasons[info.id] ?? "")",
                ])
        }
        let manager = RunManager(
            settings: Self.nodeSettings(settings, capacity), store: store, notifier: notifier,
            logger: logger)

        let fleet: FleetNode
        do {
            fleet = try await FleetNode.make(
                settings, capacity: capacity, logger: logger,
                protocolVersion: flags.federationProtocolVersion)
        } catch {
            socket.closeAndRemove()
            throw error
        }
        await manager.attach(fleet)
        if let (id, record) = resumption.resume { await manager.resume(id, record: record) }
        // Before serving: a node whose store outgrew the policy while it was down is trimmed first.
        await manager.prune(reason: "start")

        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let server: ControlServer
        do {
            server = try await ControlServer.start(
                fd: socket.fd, group: group, router: .controlAPI(manager),
                limits: ControlLimits(settings.file, openFilesLimit: limits.soft),
                logger: logger)
        } catch {
            try? await group.shutdownGracefully()
            await fleet.shutdown()
            throw DaemonStartError(message: "cannot serve on \(socket.path): \(error)")
        }
        var metricsServer: ControlServer?
        if let address = settings.file.metricsListen {
            do {
                metricsServer = try await MetricsListener.start(address, group: group, manager: manager, logger: logger)
            } catch {
                await server.close()
                try? await group.shutdownGracefully()
                await fleet.shutdown()
                socket.closeAndRemove()
                throw DaemonStartError(message: "\(error)")
            }
        }

        let live = LiveSettings(
            daemon: self, settings: settings, logger: logger, limits: limits, manager: manager,
            notifier: notifier)
        let started: Logger.Metadata = [
            "socket": "\(socket.path)", "socket_activated": "\(!activated.isEmpty)",
            "state_dir": "\(settings.stateDir)",
            "open_files_limit": "\(capacity.openFilesLimit)", "open_files_hard_limit": "\(limits.hard)",
            "max_users": "\(capacity.maxUsers)", "control_connections": "\(server.limits.connections)",
            "metrics_listen": "\(settings.file.metricsListen.map { "\($0)" } ?? "off")",
            "data_dir": "\(settings.dataDir)", "threads": "\(settings.threads)", "log": "\(logBackend.rawValue)",
            "watchdog": "\(notifier.watchdogInterval.map { "every \($0)" } ?? "off")",
        ]
        let services = DaemonServices(
            control: ControlService(control: server, metrics: metricsServer, socket: socket, loops: group),
            watchdog: notifier.watchdogInterval.map {
                WatchdogService(loop: server.eventLoop, interval: $0, notifier: notifier)
            },
            fleet: fleet, manager: manager,
            signals: SignalService(signals: signals, settings: live, notifier: notifier, startedMetadata: started))
        return StartedDaemon(
            group: services.group(logger: logger), settings: live, manager: manager,
            socketPath: socket.path)
    }

    /// Reads the config file and resolves it with the flags; start-up errors name the file and line.
    func loadSettings() throws -> DaemonSettings {
        do {
            let file = try ConfigFile.load(path: configPath, required: configRequired)
            let settings = DaemonSettings.resolve(file: file, flags: flags, environment: environment)
            try settings.checkRole()
            return settings
        } catch let error as ConfigError {
            throw DaemonStartError(message: error.description)
        }
    }

    static func nodeSettings(_ settings: DaemonSettings, _ capacity: UserCapacity) -> NodeSettings {
        NodeSettings(
            node: NodeID(rawValue: settings.node), role: settings.role, threads: settings.threads,
            capacity: capacity, dataDir: settings.dataDir, retention: settings.retention,
            resumeWithin: settings.resumeWithin)
    }

    /// The daemon's logger; the journal turns these keys into `LOADD_NODE` and `LOADD_ROLE` fields.
    static func logger(for settings: DaemonSettings) -> Logger {
        var logger = Logger(label: "loadd")
        logger[metadataKey: "loadd_node"] = "\(settings.node)"
        logger[metadataKey: "loadd_role"] = "\(settings.role.rawValue)"
        return logger
    }
}
