import Engine
import Foundation
import Logging
import Protocol
import Report
import SystemdSupport

extension RunManager {
    /// The version `GET /v1/status` reports.
    static let version = LoaddVersion.current

    // MARK: Views

    /// The node and its current run (or the last one, with its verdict).
    func status() -> NodeStatus {
        let current = settings
        var status = NodeStatus(
            node: current.node, role: current.role.rawValue, version: Self.version, run: nil, summary: nil,
            workers: fleetWorkerCount, openFilesLimit: current.capacity.openFilesLimit,
            maxUsers: current.capacity.maxUsers)
        switch state {
        case .running(let run), .stopping(let run):
            status.run = run.info
            status.summary = liveSnapshot(run)
            status.runDurationS = run.engine.plan.measuredDuration.map { Double($0.components.seconds) }
        case .compiling(let file, _, _):
            status.compiling = file
            status.run = lastFinishedRun?.info
            status.summary = lastFinishedRun?.summary
        case .idle, .closed:
            status.run = lastFinishedRun?.info
            status.summary = lastFinishedRun?.summary
        }
        return status
    }

    /// Every stored run, newest first; the current run as it is now rather than as last written.
    func runs() -> [RunInfo] {
        var list = store.list()
        if let current = activeRun, let index = list.firstIndex(where: { $0.id == current.info.id }) {
            list[index] = current.info
        }
        return list
    }

    /// A run's summary as the API answers it: the current run's live, another's as stored.
    enum SummaryAnswer: Sendable {
        case live(RunSummary)
        /// `summary.json` as written, passed on untouched.
        case stored(String)
    }

    /// A run's summary: live for the current run, else as stored. - Throws: `.notFound` for an
    /// unknown id, `.failed` for a damaged one.
    func summary(of id: RunID) throws -> SummaryAnswer {
        if let run = activeRun, run.info.id == id { return .live(liveSnapshot(run)) }
        switch store.storedSummary(id) {
        case nil:
            guard FileManager.default.fileExists(atPath: store.folder(id)) else {
                throw ControlError(.notFound, "no run \(id)")
            }
            throw ControlError(.notFound, "run \(id) has no summary")
        case .failure(let damage):
            // Not a 200 with half a summary: the client would take it for the run's results.
            throw ControlError(
                .failed, "run \(id) is damaged: \(damage)",
                details: ["its folder is \(store.folder(id)); `loadctl runs` lists it as damaged"])
        case .success(let text):
            return .stored(text)
        }
    }

    // MARK: Progress

    /// Writes the current run's files; `false` once that run is no longer current, ending its ticker.
    func tick(_ id: RunID) -> Bool {
        guard var run = activeRun, run.info.id == id else { return false }
        let summary = run.engine.snapshot()
        cache(summary)
        run.info.requests = summary.total.requests
        run.info.failures = summary.total.failures
        // Each write renders the whole history: its period grows with the run (RedrawSchedule).
        let now = ContinuousClock.now
        let seconds = summary.history.count
        let resultsDue = RedrawSchedule.isDue(
            since: run.resultsWrittenAt.map { $0.duration(to: now) },
            period: RedrawSchedule.resultsPeriod(historySeconds: seconds))
        let reportDue =
            resultsDue
            && RedrawSchedule.isDue(
                since: run.reportWrittenAt.map { $0.duration(to: now) },
                period: RedrawSchedule.reportPeriod(historySeconds: seconds))
        if resultsDue { run.resultsWrittenAt = now }
        if reportDue { run.reportWrittenAt = now }
        replaceActive(run)
        if resultsDue { writeResults(summary, of: run, report: reportDue) }
        writeInfo(run)
        saveForResume(run)
        notifier.status(statusLine(run, summary))
        return true
    }

    /// Records the verdict of run `id` once its engine has finished; does nothing if already done.
    func finish(_ id: RunID, summary: RunSummary) {
        guard var run = activeRun, run.info.id == id else { return }
        run.info.state = summary.interrupted != nil ? .interrupted : summary.passed ? .passed : .failed
        run.info.endedAt = Int(Date().timeIntervalSince1970)
        run.info.requests = summary.total.requests
        run.info.failures = summary.total.failures
        writeResults(summary, of: run)
        writeInfo(run)
        store.removeResumeRecord(run.info.id)
        lastFinishedRun = (run.info, summary)
        lastFinishedBuckets = (run.info.id, run.engine.snapshotWithBuckets().buckets)
        markIdle()
        var metadata: Logger.Metadata = [
            "verdict": "\(run.info.state.rawValue)", "requests": "\(summary.total.requests)",
            "failures": "\(summary.total.failures)", "duration_s": "\(Int(summary.durationS.rounded()))",
        ]
        if let reason = summary.abortReason { metadata["abort_reason"] = "\(reason)" }
        run.logger.log(level: summary.passed ? .info : .notice, "run finished", metadata: metadata)
        notifier.status(closing ? "stopping" : "idle")
        prune(reason: "run ended")
    }

    // MARK: Store writes

    func writeInfo(_ run: ActiveRun) {
        do {
            try store.writeInfo(run.info)
        } catch {
            reportStoreFailure(error, run)
        }
    }

    func writeResults(_ summary: RunSummary, of run: ActiveRun, report: Bool = true) {
        do {
            try store.writeResults(summary, of: run.info.id, report: report)
        } catch {
            reportStoreFailure(error, run)
        }
    }

    /// `STATUS=` for `systemctl status`: `running ID: N users, X req/s`.
    func statusLine(_ run: ActiveRun, _ summary: RunSummary) -> String {
        let verb = run.info.state == .stopping ? "stopping" : "running"
        return "\(verb) \(run.info.id): \(summary.users) users, \(Int(summary.total.currentRps.rounded())) req/s"
    }

    // MARK: Private

    private func liveSnapshot(_ run: ActiveRun) -> RunSummary {
        if let cached = cachedRecentSnapshot { return cached }
        let summary = run.engine.snapshot()
        cache(summary)
        return summary
    }
}
