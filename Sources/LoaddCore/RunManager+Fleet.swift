import Engine
import Federation
import Foundation
import Glibc
import Logging
import Protocol

/// The run manager in a fleet: on a master, runs are fleet runs (the merged results go to this
/// node's run store); on a worker, each share the master assigns is kept in this node's store as a
/// run of its own, under the master's run id when it can be.
extension RunManager {
    /// Checks, before a run's folder exists, that this node may start `plan` now.
    /// - Throws: `.conflict` on a worker (the master starts runs) or when the fleet cannot take it.
    func preflight(_ plan: Plan) throws {
        switch fleet.kind {
        case .standalone:
            return
        case .worker(_, let master):
            throw ControlError(
                .conflict, "this node is a worker of \(master): start runs on the master",
                details: ["every loadctl command on the master acts on the whole fleet"])
        case .master(let master):
            do {
                try master.checkReady(for: plan)
            } catch {
                throw ControlError(.conflict, error)
            }
        }
    }

    /// Starts generating the load: a local engine, or the fleet on a master.
    /// `files` are the data files the scenario read; a master sends them to every worker with its
    /// assignment (workers read no path themselves).
    func launch(_ plan: Plan, request: StartRunRequest, files: [String: Data], id: RunID) throws -> any RunDriver {
        guard let master = fleet.master else {
            let engine = try Engine(plan: plan, options: EngineOptions(threads: settings.threads, run: id))
            engine.start()
            return engine
        }
        // The assignment is one frame: base64 files (4 bytes per 3) and the scenario must fit in it.
        let bytes = files.values.reduce(0) { $0 + $1.count }
        let frameRoom = (FederationProtocol.maxFrameBytes - request.scenario.utf8.count * 2 - 64 * 1024) / 4 * 3
        guard bytes <= frameRoom else {
            throw ControlError(
                .unprocessable,
                "data files: \(bytes) bytes is more than a fleet run can send its "
                    + "workers (at most \(max(0, frameRoom)) bytes in one assignment frame)")
        }
        do {
            var fleetRequest = FleetRun.Request(
                id: id, plan: plan, scenario: request.scenario, file: request.file,
                overrides: request.overrides, files: files)
            fleetRequest.vars = request.vars ?? [:]
            fleetRequest.secretVars = request.secretVars ?? []
            try master.startRun(fleetRequest)
        } catch {
            throw ControlError(.conflict, error, secrets: request.secrets)
        }
        return FleetDriver(master: master, id: id, plan: plan)
    }

    /// Workers connected, on a master; `nil` on other nodes (for `GET /v1/status`).
    var fleetWorkerCount: Int? { fleet.master?.workers().count }

    /// The connected workers. - Throws: `.conflict` unless this node is a master.
    func workers() throws -> [WorkerInfo] {
        guard let master = fleet.master else {
            throw ControlError(
                .conflict,
                "this node is not a master (role: \(settings.role.rawValue)); "
                    + "the workers list is on the master")
        }
        return master.workers()
    }

    /// Follows a worker's events until it shuts down (which ends them): each share it starts
    /// becomes a run here. A child of the worker's fleet service.
    nonisolated func follow(_ worker: FederationWorker) async {
        for await event in worker.events {
            if case .shareStarted(let run, let scenario, let plan, let engine) = event {
                await adoptShare(run: run, scenario: scenario, plan: plan, engine: engine)
            } else if case .shareUsersChanged(let run, let users) = event {
                await shareUsersChanged(run: run, users: users)
            }
            // A share's end needs nothing here: the run's finish watcher sees its engine finish.
        }
    }

    private func adoptShare(run: RunID, scenario: String, plan: Plan, engine: Engine) {
        guard case .worker(_, let master) = fleet.kind, !closing, activeRun == nil else {
            logger.error(
                "cannot keep the master's share in the run store: another run is active here",
                metadata: ["loadd_run_id": "\(run)"])
            return
        }
        guard let id = shareFolder(run, scenario: scenario) else { return }
        let info = RunInfo(
            id: id, scenario: plan.name, host: plan.host, state: .running,
            startedAt: Int(Date().timeIntervalSince1970), endedAt: nil,
            users: plan.users, requests: 0, failures: 0)
        do {
            try store.writeInfo(info)
        } catch {
            logger.error("cannot keep the master's share in the run store", metadata: ["error": "\(error)"])
            return
        }
        _ = begin(info, plan: plan, engine: WorkerShareDriver(engine: engine, master: master))
    }

    /// The master's id when it is a valid, unused one here; a fresh one when this node already
    /// keeps a share of that run (it rejoined) or the id has another shape.
    private func shareFolder(_ run: RunID, scenario: String) -> RunID? {
        if RunIdentifier.isValid(run.rawValue), (try? store.create(run, scenario: scenario)) != nil { return run }
        do {
            return try createFolder(scenario: scenario)
        } catch {
            logger.error("cannot keep the master's share in the run store", metadata: ["error": "\(error)"])
            return nil
        }
    }

    private func shareUsersChanged(run: RunID, users: Int) {
        guard var active = activeRun, active.info.state == .running else { return }
        active.info.users = users
        replaceActive(active)
        writeInfo(active)
    }
}
