import Engine
import Foundation
import Glibc
import Logging
import NIOCore
import NIOPosix
import Protocol
import SystemdSupport

/// Brings the daemon up in order (config, limits, run store, socket, then READY=1), serves until
/// SIGTERM/SIGINT while reloading on SIGHUP, and goes down in reverse (STOPPING=1, run written,
/// socket closed).
public struct Daemon {
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

    public func run() async throws {
        let signals = SignalEvents()
        defer { signals.cancel() }
        // NIO writes with MSG_NOSIGNAL, libcurl is told NOSIGNAL; this covers any other write to a closed peer.
        signal(SIGPIPE, SIG_IGN)
        let notifier = SystemdNotifier()

        var settings = try loadSettings()
        var logger = Self.logger(for: settings)
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
        let resumption = RunResumption.decide(store: store, within: settings.resumeWithin, role: settings.role,
                                              now: Date().timeIntervalSince1970)
        for info in store.markInterrupted(except: resumption.resume?.id, reasons: resumption.reasons) {
            logger.notice("run marked interrupted: loadd ended while it was going", metadata: [
                "loadd_run_id": "\(info.id)", "requests": "\(info.requests)", "failures": "\(info.failures)",
                "reason": "\(resumption.reasons[info.id] ?? "")",
            ])
        }
        let manager = RunManager(settings: nodeSettings(settings, capacity), store: store, notifier: notifier, logger: logger)

        let fleet: FleetNode
        do {
            fleet = try await FleetNode.make(settings, capacity: capacity, logger: logger,
                                             protocolVersion: flags.federationProtocolVersion)
        } catch {
            socket.closeAndRemove()
            throw error
        }
        await manager.attach(fleet)
        if let (id, record) = resumption.resume { await manager.resume(id, record: record) }
        // Before serving: a node whose store outgrew the policy while it was down is trimmed first.
        await manager.startRetention()
        let following = fleet.worker.map { manager.follow($0) }

        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let server: ControlServer
        do {
            server = try await ControlServer.start(fd: socket.fd, group: group, router: .controlAPI(manager),
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
        let serving = Task { await server.run() }
        let metricsServing = metricsServer.map { metrics in Task { await metrics.run() } }
        let watchdog = Self.startWatchdog(on: server.eventLoop, notifier: notifier)

        notifier.ready()
        notifier.status("idle")
        logger.info("started", metadata: [
            "socket": "\(socket.path)", "socket_activated": "\(!activated.isEmpty)", "state_dir": "\(settings.stateDir)",
            "open_files_limit": "\(capacity.openFilesLimit)", "open_files_hard_limit": "\(limits.hard)",
            "max_users": "\(capacity.maxUsers)", "control_connections": "\(server.limits.connections)",
            "metrics_listen": "\(settings.file.metricsListen.map { "\($0)" } ?? "off")",
            "data_dir": "\(settings.dataDir)", "threads": "\(settings.threads)", "log": "\(logBackend.rawValue)",
            "watchdog": "\(notifier.watchdogInterval.map { "every \($0)" } ?? "off")",
        ])

        var stopSignal = SIGTERM
        for await number in signals.events {
            guard number == SIGHUP else {
                stopSignal = number
                break
            }
            settings = await reload(settings, limits: limits, manager: manager, notifier: notifier, logger: &logger)
        }

        notifier.stopping()
        notifier.status("stopping")
        logger.info("stopping", metadata: ["signal": "\(SignalEvents.name(stopSignal))"])
        // A worker's share stops with its federation side; a master stops the fleet's run first.
        if fleet.worker != nil { await fleet.shutdown() }
        await manager.shutdown()
        if fleet.worker == nil { await fleet.shutdown() }
        await following?.value
        watchdog?.cancel()
        await server.close()
        serving.cancel()
        await serving.value
        await metricsServer?.close()
        metricsServing?.cancel()
        await metricsServing?.value
        socket.removeFile()
        try? await group.shutdownGracefully()
        logger.info("stopped")
    }

    /// Reads the config file and resolves it with the flags; start-up errors name the file and line.
    private func loadSettings() throws -> DaemonSettings {
        do {
            let file = try ConfigFile.load(path: configPath, required: configRequired)
            let settings = DaemonSettings.resolve(file: file, flags: flags, environment: environment)
            try settings.checkRole()
            return settings
        } catch let error as ConfigError {
            throw DaemonStartError(message: error.description)
        }
    }

    /// SIGHUP: re-reads the config between RELOADING=1 and READY=1. Node, threads and max_users take
    /// effect at once; socket, state directory and role need a restart, so the running ones stay. A
    /// config that does not parse is logged and the running settings are kept.
    private func reload(_ current: DaemonSettings, limits: (soft: UInt64, hard: UInt64), manager: RunManager,
                        notifier: SystemdNotifier, logger: inout Logger) async -> DaemonSettings {
        notifier.reloading()
        defer { notifier.ready() }
        var next: DaemonSettings
        do {
            next = try loadSettings()
        } catch let error as DaemonStartError {
            logger.error("reload failed, keeping the running config", metadata: ["error": "\(error.message)"])
            return current
        } catch {
            logger.error("reload failed, keeping the running config", metadata: ["error": "\(error)"])
            return current
        }
        let (applied, needRestart) = current.changes(to: next)
        next.socketPath = current.socketPath
        next.stateDir = current.stateDir
        next.role = current.role
        logger = Self.logger(for: next)
        let capacity = UserCapacity(openFilesLimit: limits.soft, configured: next.maxUsersSetting)
        await manager.reconfigure(nodeSettings(next, capacity), logger: logger)
        logger.info("config reloaded", metadata: [
            "file": "\(configPath)", "changed": "\(applied.isEmpty ? "nothing" : applied.joined(separator: "; "))",
            "max_users": "\(capacity.maxUsers)",
        ])
        for change in needRestart {
            logger.notice("config change needs a restart to take effect (`systemctl restart loadd`)",
                          metadata: ["change": "\(change)"])
        }
        return next
    }

    private func nodeSettings(_ settings: DaemonSettings, _ capacity: UserCapacity) -> NodeSettings {
        NodeSettings(node: NodeID(rawValue: settings.node), role: settings.role, threads: settings.threads,
                     capacity: capacity, dataDir: settings.dataDir, retention: settings.retention,
                     resumeWithin: settings.resumeWithin)
    }

    /// The daemon's logger; the journal turns these keys into `LOADD_NODE` and `LOADD_ROLE` fields.
    private static func logger(for settings: DaemonSettings) -> Logger {
        var logger = Logger(label: "loadd")
        logger[metadataKey: "loadd_node"] = "\(settings.node)"
        logger[metadataKey: "loadd_role"] = "\(settings.role.rawValue)"
        return logger
    }

    /// Pings from the control server's event loop, so a wedged loop stops the pings and systemd
    /// restarts loadd. `watchdogInterval` is already half of `WatchdogSec=`.
    private static func startWatchdog(on loop: any EventLoop, notifier: SystemdNotifier) -> RepeatedTask? {
        guard let interval = notifier.watchdogInterval else { return nil }
        let (seconds, attoseconds) = interval.components
        let period = TimeAmount.microseconds(seconds * 1_000_000 + attoseconds / 1_000_000_000_000)
        return loop.scheduleRepeatedTask(initialDelay: .zero, delay: period) { _ in
            notifier.watchdog()
        }
    }
}
