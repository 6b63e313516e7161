import Engine
import Federation
import Foundation
import Logging
import NIOHTTP1
import Protocol
import SystemdSupport

/// Runs that outlive their daemon: every second the running run's books go to its resume record
/// (`ResumeRecord`); a SIGTERM stops the load and saves them instead of closing the run; the next
/// daemon, started within `resume_within:`, carries the run on under the same id (`RunResumption`).
extension RunManager {
    /// The record's fixed part for a run started by `request`; `nil` on a worker (its master
    /// re-assigns its share) or with `resume_within: 0`.
    func resumeRecord(for request: StartRunRequest) -> ResumeRecord? {
        guard settings.role != .worker, settings.resumeWithin > .zero else { return nil }
        return ResumeRecord(
            role: settings.role, savedAt: 0, file: request.file, overrides: request.overrides,
            remoteFiles: request.remoteFiles, refusal: ResumeRecord.refusal(for: request))
    }

    /// Writes the run's resume record now: its books as they stand, its marks, the time.
    func saveForResume(_ run: ActiveRun) {
        guard var record = run.resumeRecord else { return }
        record.savedAt = Date().timeIntervalSince1970
        var saving: (any RunCheckpointing)?
        if record.refusal == nil {
            let marking = run.engine as? MarkingDriver
            guard let books = (marking?.inner ?? run.engine) as? any RunCheckpointing,
                let taken = books.resumeBooks()
            else { return }
            record.checkpoint = taken.ledger
            record.fleet = taken.fleet
            record.marks = marking?.allMarks ?? []
            saving = books
        }
        do {
            try store.writeResumeRecord(record, of: run.info.id)
            saving?.resumeBooksSaved()
        } catch {
            reportStoreFailure(error, run)
        }
    }

    func canSaveForResume(_ run: ActiveRun) -> Bool {
        settings.resumeWithin > .zero && run.resumeRecord != nil && run.resumeRecord?.refusal == nil
    }

    /// SIGTERM with a run going: the load stops (on a master, every worker's share), its figures and
    /// books are written once its last seconds are in, and `run.json` keeps saying `running`, so the
    /// next daemon started within `resume_within:` carries it on (a `systemctl restart`, an upgrade).
    /// A node stopped for good closes it `interrupted` at its next start, past the grace period.
    func suspendForResume(_ run: ActiveRun) async {
        // Closed before waiting: the run's finish watcher must not record a verdict meanwhile.
        markClosed()
        run.logger.notice(
            "run saved for resuming",
            metadata: [
                "reason": "loadd is shutting down", "resume_within": "\(RunResumption.describe(settings.resumeWithin))",
            ])
        notifier.status("stopping")
        var saved = run
        if let master = fleet.master {
            // The workers stop now and send their last seconds; the run finishes as no verdict once
            // those are in (or the stop grace is over). It must finish here: this service's run()
            // waits for the run's watcher, and the master's own shutdown comes after it.
            master.suspendRun()
        } else {
            try? run.engine.stop()
        }
        let summary = await run.engine.finished()
        saveForResume(run)
        saved.info.requests = summary.total.requests
        saved.info.failures = summary.total.failures
        writeResults(summary, of: saved)
        writeInfo(saved)
    }

    /// Carries on run `id` from its resume record: compiles its stored scenario again and starts
    /// the load where the run's clock is now. A run that cannot be taken up is closed `interrupted`
    /// with the reason.
    func resume(_ id: RunID, record: ResumeRecord) async {
        guard let checkpoint = record.checkpoint, var info = store.info(id) else { return }
        guard let scenario = try? String(contentsOfFile: "\(store.folder(id))/scenario.yaml", encoding: .utf8) else {
            return closeUnresumable(id, reason: "its scenario.yaml cannot be read")
        }
        let request = StartRunRequest(
            scenario: scenario, file: record.file, overrides: record.overrides,
            remoteFiles: record.remoteFiles)
        let files = ScenarioFiles(.bundle([:], remoteDirectory: record.remoteFiles == true ? settings.dataDir : nil))
        let compiled: CompiledScenario
        do {
            compiled = try await CompileThread.run { try Self.compile(request, files: files) }
        } catch {
            return closeUnresumable(id, reason: "its scenario no longer compiles: \(Self.describe(error))")
        }
        guard case .idle = state, !closing else {
            return closeUnresumable(id, reason: "loadd was stopped again before the run went on")
        }
        let plan = compiled.plan
        let driver: any RunDriver
        do {
            let resume = EngineResume(checkpoint: checkpoint, users: record.users, rate: record.rate)
            driver = try resumeDriver(
                plan, request: request, files: compiled.files, id: id, resume: resume,
                fleetBooks: record.fleet)
        } catch {
            return closeUnresumable(id, reason: Self.describe(error))
        }
        info.state = .running
        info.endedAt = nil
        if let users = record.users { info.users = users }
        _ = begin(
            info, plan: plan, engine: driver, resumeRecord: record,
            resumed: (record.marks, checkpoint.startUnixSeconds))
        let gap = driver.snapshot().resumes?.last
        logger.notice(
            "run resumed",
            metadata: [
                "loadd_run_id": "\(id)", "gap_s": "\(gap.map { ($0.gapS * 10).rounded() / 10 } ?? 0)",
                "requests_so_far": "\(info.requests)",
            ])
    }

    /// A local engine carrying the run on, or, on a master, the fleet run taken up with no share yet.
    private func resumeDriver(
        _ plan: Plan, request: StartRunRequest, files: [String: Data], id: RunID,
        resume: EngineResume, fleetBooks: FleetRunCheckpoint?
    ) throws -> any RunDriver {
        if let master = fleet.master {
            guard let fleetBooks else { throw ControlError(.conflict, "its resume record has no fleet books") }
            let fleetRequest = FleetRun.Request(
                id: id, plan: plan, scenario: request.scenario, file: request.file,
                overrides: request.overrides, files: files)
            do {
                try master.resumeRun(fleetRequest, ledger: resume.checkpoint, fleet: fleetBooks)
            } catch {
                throw ControlError(.conflict, error)
            }
            return FleetDriver(master: master, id: id, plan: plan)
        }
        var options = EngineOptions(threads: settings.threads, run: id)
        options.resume = resume
        let engine = try Engine(plan: plan, options: options)
        engine.start()
        return engine
    }

    /// An API failure's message and details, or any other error's text.
    private static func describe(_ error: any Error) -> String {
        guard let failure = error as? ControlError else { return "\(error)" }
        return ([failure.error.error] + failure.error.details).joined(separator: "; ")
    }

    private func closeUnresumable(_ id: RunID, reason: String) {
        let full = "loadd ended while the run was going (killed, crashed or restarted); not resumed: \(reason)"
        for info in store.markInterrupted(reasons: [id: full]) where info.id == id {
            logger.notice("run marked interrupted", metadata: ["loadd_run_id": "\(id)", "reason": "\(full)"])
        }
    }
}

/// Drivers whose books a resume record can hold: a local engine, a master's fleet run.
protocol RunCheckpointing {
    /// The run's books now; `nil` once there is no run to save (a fleet run that just ended).
    func resumeBooks() -> (ledger: RunLedger.Checkpoint, fleet: FleetRunCheckpoint?)?
    /// The books `resumeBooks()` gave last are on disk.
    func resumeBooksSaved()
}

extension Engine: RunCheckpointing {
    func resumeBooks() -> (ledger: RunLedger.Checkpoint, fleet: FleetRunCheckpoint?)? {
        (checkpoint(), nil)
    }

    /// Nothing waits on a save: a node's own engine holds every second it measured.
    func resumeBooksSaved() {}
}

extension FleetDriver: RunCheckpointing {
    func resumeBooks() -> (ledger: RunLedger.Checkpoint, fleet: FleetRunCheckpoint?)? {
        master.checkpoint().map { ($0.ledger, $0.fleet) }
    }

    /// The workers' reports in those books may now be acknowledged (`AckSaveGate`).
    func resumeBooksSaved() { master.checkpointSaved() }
}
