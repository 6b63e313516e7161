import NIOCore
import NIOPosix
import ServiceLifecycle
import SystemdSupport

/// The control socket (and `metrics_listen:`) as a service: serves until graceful shutdown, then
/// stops accepting, ends the connections still open, removes the socket file loadd made and stops
/// the servers' event loop. First in the daemon's group, so it closes last: a client polling the
/// socket sees the run's final state before the socket goes.
struct ControlService: Service {
    let control: ControlServer
    let metrics: ControlServer?
    let socket: ControlSocket
    let loops: MultiThreadedEventLoopGroup

    func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await control.run() }
            if let metrics { group.addTask { await metrics.run() } }
            // Cancellation (the group giving up) ends the wait too: then the same clean-up follows.
            try? await gracefulShutdown()
            // Closing the listeners ends their accept loops once every connection accepted so far is
            // handed to its task; each loop then cancels its connections' tasks (`acceptEach`), which
            // ends keep-alive ones too, so nothing here needs cancelling.
            await control.close()
            await metrics?.close()
        }
        socket.removeFile()
        try? await loops.shutdownGracefully()
    }
}

/// `WATCHDOG=1` every `interval` (half of `WatchdogSec=`), scheduled on the control server's event
/// loop, so a wedged loop stops the pings and systemd restarts loadd. Pings until the services
/// after it (the run's results, the fleet link) are down; only the control socket closes later.
struct WatchdogService: Service {
    let loop: any EventLoop
    let interval: Duration
    let notifier: SystemdNotifier

    func run() async {
        let (seconds, attoseconds) = interval.components
        let period = TimeAmount.microseconds(seconds * 1_000_000 + attoseconds / 1_000_000_000_000)
        let notifier = notifier
        let pings = loop.scheduleRepeatedTask(initialDelay: .zero, delay: period) { _ in
            notifier.watchdog()
        }
        try? await gracefulShutdown()
        pings.cancel()
    }
}
