import Engine
import Foundation
import Glibc
import Protocol

/// Starting a run: the scenario compiled off the actor, the overrides applied, the node's capacity
/// checked, the run's folder made and its engine launched (`RunManager+Fleet` says which engine).
extension RunManager {
    /// Compiles the scenario off the actor (so `status` and `stop` answer while a large or hostile
    /// scenario compiles), applies the overrides and starts the engine.
    /// - Throws: `ControlError`: `.unavailable` shutting down, `.conflict` busy or stopped while compiling,
    ///   `.invalid` scenario, `.unprocessable` too many users or the engine refused, `.failed` store.
    func start(_ request: StartRunRequest) async throws -> RunInfo {
        try checkIdle()
        let token = UUID()
        let files = ScenarioFiles(
            .bundle(
                request.files ?? [:],
                remoteDirectory: request.remoteFiles == true ? settings.dataDir : nil))
        // On a thread of its own (see `CompileThread`), awaited here, so never orphaned. The state
        // names it meanwhile: `status` shows it, a second start is refused, a stop cancels the launch.
        markCompiling(file: request.file, token: token)
        let compiled: CompiledScenario
        do {
            compiled = try await CompileThread.run { try Self.compile(request, files: files) }
        } catch {
            if case .compiling(_, token, _) = state { markIdle() }
            throw error
        }
        // Other requests ran while this one waited: a stop or a shutdown may have come.
        guard case .compiling(_, token, let cancelled) = state else {
            throw ControlError(.unavailable, "loadd is shutting down")
        }
        markIdle()
        if cancelled {
            throw ControlError(.conflict, "the start was cancelled by a stop request while the scenario compiled")
        }
        try checkIdle()
        return try launchCompiled(compiled, request: request)
    }

    /// The plan and the data files it read, which a master forwards to its workers.
    struct CompiledScenario: Sendable {
        var plan: Plan
        var files: [String: Data]
    }

    private func checkIdle() throws {
        switch state {
        case .closed: throw ControlError(.unavailable, "loadd is shutting down")
        case .compiling(let file, _, _):
            throw ControlError(.conflict, "a scenario (\(file)) is compiling for a run: wait for it or stop it first")
        case .running(let run), .stopping(let run):
            throw ControlError(
                .conflict, "run \(run.info.id) is \(run.info.state.rawValue): stop it first (`loadctl stop`)")
        case .idle where closing: throw ControlError(.unavailable, "loadd is shutting down")
        case .idle: break
        }
    }

    private func launchCompiled(_ compiled: CompiledScenario, request: StartRunRequest) throws -> RunInfo {
        var plan = compiled.plan
        try preflight(plan)
        // A fleet's capacity is its workers', which the master's split checks: these are this node's.
        if fleet.master == nil && plan.isOpenModel {
            // Each iteration in flight holds a connection: cap them at what the open-files limit allows.
            plan.maxInFlight = min(plan.maxInFlight, max(1, settings.capacity.maxUsers))
        } else if fleet.master == nil {
            try checkCapacity(plan)
        }
        let id = try createFolder(scenario: request.scenario)
        let now = Int(Date().timeIntervalSince1970)
        let info = RunInfo(
            id: id, scenario: plan.name, host: plan.host, state: .running, startedAt: now,
            endedAt: nil, users: plan.peakUsers, requests: 0, failures: 0)
        do {
            try store.writeInfo(info)
        } catch {
            throw ControlError(.failed, "cannot start run \(id): \(error)")
        }
        let engine: any RunDriver
        do {
            engine = try launch(plan, request: request, files: compiled.files, id: id)
        } catch {
            var failed = info
            failed.state = .failed
            failed.endedAt = now
            try? store.writeInfo(failed)
            if let failure = error as? ControlError { throw failure }
            // The engine refused the plan (e.g. over its memory budget): the request's to fix.
            throw ControlError(.unprocessable, "cannot start run \(id): \(error)")
        }
        return begin(info, plan: plan, engine: engine, resumeRecord: resumeRecord(for: request))
    }

    /// Users (or the largest stage target) against this node's capacity; a stage target beyond any
    /// whole number of users counts as `Int.max` rather than being converted (which would trap).
    private func checkCapacity(_ plan: Plan) throws {
        var users = plan.users
        var field = "users"
        if let top = plan.stages.enumerated().max(by: { $0.element.target < $1.element.target }) {
            field = "stages[\(top.offset)].target"
            let target = top.element.target
            users = target.isFinite && target < 9.0e18 ? Int(max(0, target)) : Int.max
        }
        if let refusal = settings.capacity.refusal(users: users) {
            throw ControlError(.unprocessable, field == "users" ? refusal : "\(field): \(refusal)")
        }
    }

    /// Runs on a task of its own, never on the actor: a scenario can take long to compile.
    nonisolated static func compile(_ request: StartRunRequest, files: ScenarioFiles) throws -> CompiledScenario {
        // Named by name and size only, never by value: said before the redaction below, which would
        // garble them when a value is a short word.
        let problems = request.overrides.problems()
        guard problems.isEmpty else { throw ControlError(.invalid, "invalid overrides", details: problems) }
        let varProblems = ScenarioVars.problems(request.vars ?? [:])
        guard varProblems.isEmpty else { throw ControlError(.invalid, "invalid vars", details: varProblems) }
        let secretVars = request.secretVars ?? []
        guard secretVars.count <= ScenarioLimits.maxCLIVars else {
            throw ControlError(
                .invalid, "invalid secret_vars",
                details: ["secret_vars: at most \(ScenarioLimits.maxCLIVars) names, got \(secretVars.count)"])
        }
        let unknownSecrets = secretVars.filter { request.vars?[$0] == nil }
        guard unknownSecrets.isEmpty else {
            throw ControlError(
                .invalid, "invalid secret_vars",
                details: unknownSecrets.prefix(10).map {
                    "secret_vars.\($0.prefix(64)): not one of vars (secret_vars holds names; the values go in vars)"
                })
        }
        do {
            return try compileUnredacted(request, files: files)
        } catch let failure as ControlError {
            // Nothing the loader says is meant to quote a var's value; this keeps it so whatever it says.
            throw failure.redacted(request.secrets)
        }
    }

    private nonisolated static func compileUnredacted(
        _ request: StartRunRequest, files: ScenarioFiles
    ) throws -> CompiledScenario {
        let file = request.file.isEmpty ? "scenario.yaml" : request.file
        // Collected by the synchronous loader on this one task only.
        var read: [String: Data] = [:]
        var plan: Plan
        do {
            // `{{env.NAME}}` reads the vars the client sent, never the daemon's own environment.
            plan = try ScenarioLoader.load(
                yaml: request.scenario, file: file, files: files,
                environment: request.vars ?? [:]
            ) { read[$0] = $1 }
        } catch let errors as ScenarioErrors {
            throw ControlError(.invalid, "scenario \(file) is not valid", details: errors.errors.map(\.description))
        } catch {
            throw ControlError(.invalid, "scenario \(file) is not valid", details: ["\(error)"])
        }
        plan.apply(request.overrides)
        if plan.host.isEmpty && plan.hasRelativeRequests {
            throw ControlError(
                .invalid, "scenario \(file) is not valid",
                details: ["\(file): host: no host given: set `host:` in the scenario or override host"])
        }
        return CompiledScenario(plan: plan, files: read)
    }

    /// A new run folder; ids made in the same second differ by their random suffix, retried on a clash.
    func createFolder(scenario: String) throws -> RunID {
        var lastError: (any Error)?
        for _ in 0..<8 {
            let id = RunIdentifier.make()
            do {
                try store.create(id, scenario: scenario)
                return id
            } catch let error as StoreError where error.errno == EEXIST {
                lastError = error
            } catch {
                throw ControlError(.failed, "cannot create the run's folder: \(error)")
            }
        }
        throw ControlError(.failed, "cannot create the run's folder: \(lastError.map { "\($0)" } ?? "")")
    }
}
