import Logging
import ServiceLifecycle

/// The daemon's services and their order. `ServiceGroup` starts them in this order and, on a stop
/// signal, shuts them down one at a time in reverse, each finished before the next is told:
///
/// 1. signals: STOPPING=1 and `STATUS=stopping` (it ends first, which starts the shutdown);
/// 2. the run manager and the fleet link, in the role's order: a master's run manager stops the
///    fleet's run and writes its merged results while the workers are still connected, then the
///    master closes their connections; a worker's link goes first (its share stops with it), then
///    its run manager writes the share's results;
/// 3. the watchdog, pinging until then;
/// 4. the control socket, last, so clients see the run's end before it closes.
struct DaemonServices {
    let control: ControlService
    let watchdog: WatchdogService?
    let fleet: FleetNode
    let manager: RunManager
    let signals: SignalService

    typealias Configuration = ServiceGroupConfiguration.ServiceConfiguration

    /// In start order; named, as the group's debug lines would otherwise print each whole value.
    var ordered: [Configuration] {
        var services = [Configuration(service: control, serviceName: "control socket")]
        if let watchdog { services.append(Configuration(service: watchdog, serviceName: "watchdog")) }
        let runs = Configuration(service: manager, serviceName: "run manager")
        let link = Configuration(service: FleetService(fleet: fleet, manager: manager), serviceName: "fleet link")
        switch fleet.kind {
        case .standalone: services.append(runs)
        case .master: services += [link, runs]
        case .worker: services += [runs, link]
        }
        // Its end (a stop signal) is what shuts the others down.
        services.append(
            Configuration(
                service: signals, successTerminationBehavior: .gracefullyShutdownGroup,
                serviceName: "signals"))
        return services
    }

    /// The group; no `gracefulShutdownSignals:`, as `SignalService` is the signal source.
    func group(logger: Logger) -> ServiceGroup {
        ServiceGroup(configuration: ServiceGroupConfiguration(services: ordered, logger: logger))
    }
}

/// A daemon that is up (`Daemon.start`): `run()` serves until a stop signal (or a graceful
/// shutdown from outside, in a test) and returns once every service, and every task each owns,
/// has ended.
struct StartedDaemon {
    let group: ServiceGroup
    let settings: LiveSettings
    let manager: RunManager
    let socketPath: String

    func run() async throws {
        try await group.run()
        await settings.logger.info("stopped")
    }
}
