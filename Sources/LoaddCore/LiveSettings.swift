import Logging
import SystemdSupport

/// The settings and logger loadd runs with now: read at start-up, replaced on SIGHUP. Node,
/// threads and max_users take effect at once; socket, state directory and role need a restart,
/// so the running ones stay. A config that does not parse is logged and the running settings are
/// kept.
actor LiveSettings {
    private let daemon: Daemon
    private let limits: (soft: UInt64, hard: UInt64)
    private let manager: RunManager
    private let notifier: SystemdNotifier
    private(set) var settings: DaemonSettings
    private(set) var logger: Logger

    init(
        daemon: Daemon, settings: DaemonSettings, logger: Logger, limits: (soft: UInt64, hard: UInt64),
        manager: RunManager, notifier: SystemdNotifier
    ) {
        self.daemon = daemon
        self.settings = settings
        self.logger = logger
        self.limits = limits
        self.manager = manager
        self.notifier = notifier
    }

    /// SIGHUP: re-reads the config between RELOADING=1 and READY=1.
    func reload() async {
        notifier.reloading()
        defer { notifier.ready() }
        var next: DaemonSettings
        do {
            next = try daemon.loadSettings()
        } catch let error as DaemonStartError {
            logger.error("reload failed, keeping the running config", metadata: ["error": "\(error.message)"])
            return
        } catch {
            logger.error("reload failed, keeping the running config", metadata: ["error": "\(error)"])
            return
        }
        let current = settings
        let (applied, needRestart) = current.changes(to: next)
        next.socketPath = current.socketPath
        next.stateDir = current.stateDir
        next.role = current.role
        logger = Daemon.logger(for: next)
        settings = next
        let capacity = UserCapacity(openFilesLimit: limits.soft, configured: next.maxUsersSetting)
        await manager.reconfigure(Daemon.nodeSettings(next, capacity), logger: logger)
        logger.info(
            "config reloaded",
            metadata: [
                "file": "\(daemon.configPath)",
                "changed": "\(applied.isEmpty ? "nothing" : applied.joined(separator: "; "))",
                "max_users": "\(capacity.maxUsers)",
            ])
        for change in needRestart {
            logger.notice(
                "config change needs a restart to take effect (`systemctl restart loadd`)",
                metadata: ["change": "\(change)"])
        }
    }
}
