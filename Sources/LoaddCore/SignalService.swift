import Logging
import ServiceLifecycle
import SystemdSupport
import UnixSignals

/// The daemon's one signal source and what it tells systemd. Reads SIGTERM, SIGINT and SIGHUP
/// from ServiceLifecycle's `UnixSignalsSequence` (the source `ServiceGroup` itself would make from
/// `gracefulShutdownSignals:`, which is left empty): owning it here lets one loop reload on SIGHUP
/// and log which signal stopped loadd, which the group would tell no service. It sends READY=1 as
/// it starts (the control socket serves already); a stop signal, or a graceful shutdown from
/// outside (a test), sends STOPPING=1 and ends `run()`, and the group, told to by
/// `.gracefullyShutdownGroup`, then shuts the other services down in reverse order. Last in the
/// group, so the first to go.
struct SignalService: Service {
    /// Trapped at the very start of `Daemon.start`, so a signal sent while loadd comes up waits
    /// in it; `nil` for an in-process daemon in a test, which leaves the test runner's signals alone.
    let signals: UnixSignalsSequence?
    let settings: LiveSettings
    let notifier: SystemdNotifier
    /// The `started` line's fields, gathered while the daemon came up.
    let startedMetadata: Logger.Metadata

    func run() async {
        notifier.ready()
        notifier.status("idle")
        await settings.logger.info("started", metadata: startedMetadata)
        var stopSignal = "none (graceful shutdown)"
        if let signals {
            for await signal in signals.cancelOnGracefulShutdown() {
                guard signal == .sighup else {
                    stopSignal = "\(signal)"
                    break
                }
                await settings.reload()
            }
        } else {
            try? await gracefulShutdown()
        }
        notifier.stopping()
        notifier.status("stopping")
        await settings.logger.info("stopping", metadata: ["signal": "\(stopSignal)"])
    }
}
