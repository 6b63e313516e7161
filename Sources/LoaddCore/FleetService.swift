import Federation
import ServiceLifecycle

/// This node's fleet link as a service: a master accepts and ticks its workers, a worker dials its
/// master and hands each share it is given to the run manager (`follow`), all as children of
/// `run()`. Graceful shutdown stops the role (a master tells its workers `stop` and closes their
/// connections; a worker ends its share and its link), then the federation event loops stop.
struct FleetService: Service {
    let fleet: FleetNode
    let manager: RunManager

    func run() async {
        await withDiscardingTaskGroup { group in
            switch fleet.kind {
            case .standalone:
                break
            case .master(let master):
                group.addTask { await master.run() }
            case .worker(let worker, _):
                group.addTask { await worker.run() }
                // Ends when the worker's shutdown finishes its events.
                group.addTask { await manager.follow(worker) }
            }
            try? await gracefulShutdown()
            await fleet.stopRole()
        }
        await fleet.stopEventLoops()
    }
}
