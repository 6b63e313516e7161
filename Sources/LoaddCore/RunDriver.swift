import Engine
import Federation
import Protocol

/// What generates a run's load, as the run manager steers it: a local `Engine` (standalone), the
/// fleet (master), or an engine the master steers (worker). Controls throw `ControlError` when this
/// node may not steer the load itself.
protocol RunDriver: Sendable {
    var plan: Plan { get }
    func snapshot() -> RunSummary
    /// The summary and each endpoint's latency buckets, for `GET /metrics` (`RunDriver+Metrics`).
    func snapshotWithBuckets() -> (summary: RunSummary, buckets: [EndpointBuckets])
    func setUsers(_ users: Int, spawnRate: Double?) throws
    func setRate(_ rate: Double) throws
    func resetStats() throws
    func stop(failure: String?) throws
    func finished() async -> RunSummary
}

extension RunDriver {
    func stop() throws { try stop(failure: nil) }
}

extension Engine: RunDriver {}

/// A fleet run on the master: every control acts on all workers through `FederationMaster`, and
/// the summary is the merged one.
struct FleetDriver: RunDriver {
    let master: FederationMaster
    let id: RunID
    let plan: Plan

    func snapshot() -> RunSummary {
        // The run was started before this driver exists, so there is always a summary.
        master.snapshot()
            ?? RunSummary(
                run: id, scenario: plan.name, host: plan.host, startedAt: 0, durationS: 0,
                users: 0, endpoints: [], total: EndpointSummary(method: "", name: "Aggregated"),
                failuresByReason: [], history: [], thresholds: [],
                generator: GeneratorLoad(
                    peakCpu: 0, saturatedSeconds: 0,
                    possiblyGeneratorBound: false, threads: 0),
                abortReason: nil, passed: true)
    }

    func setUsers(_ users: Int, spawnRate: Double?) throws {
        try fleet { try master.setUsers(users, spawnRate: spawnRate) }
    }

    func setRate(_ rate: Double) throws {
        try fleet { try master.setRate(rate) }
    }

    func resetStats() throws {
        try fleet { try master.reset() }
    }

    func stop(failure: String?) throws {
        try fleet { try master.stop(failure: failure) }
    }

    func finished() async -> RunSummary {
        await master.finished(id)
    }

    /// The fleet's refusals are the caller's to fix (too many users, no workers): `.unprocessable`.
    private func fleet(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as FederationError {
            throw ControlError(.unprocessable, error)
        }
    }
}

/// A worker's share of a fleet run: the engine runs here, but only the master steers it.
struct WorkerShareDriver: RunDriver {
    let engine: Engine
    let master: String

    var plan: Plan { engine.plan }
    func snapshot() -> RunSummary { engine.snapshot() }
    func setUsers(_ users: Int, spawnRate: Double?) throws { throw refusal("change users") }
    func setRate(_ rate: Double) throws { throw refusal("change the rate") }
    func resetStats() throws { throw refusal("reset statistics") }
    func stop(failure: String?) throws { throw refusal("stop the run") }
    func finished() async -> RunSummary { await engine.finished() }

    private func refusal(_ action: String) -> ControlError {
        ControlError(
            .conflict, "cannot \(action) here: this node is a worker of \(master); its master steers the run",
            details: ["run loadctl on the master; every command there acts on the whole fleet"])
    }
}
