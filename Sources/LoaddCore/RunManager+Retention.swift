import Glibc
import Logging
import Protocol

/// Run retention: the stored runs beyond `keep_runs:` or older than `keep_days:` are removed, the
/// oldest first, at start, every minute, after each run ends and on `loadctl runs prune`; a run
/// with an engine (running or stopping) never is. Each removal is logged.
extension RunManager {
    /// Applies the policy every `period` until cancelled; a child of the manager's service.
    nonisolated func pruneEvery(_ period: Duration) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: period)
            guard !Task.isCancelled else { return }
            await prune(reason: "periodic")
        }
    }

    /// Removes what the policy says has expired. - Returns: the runs removed, oldest first.
    @discardableResult
    func prune(reason: String) -> [RunID] {
        let protected = Set(activeRun.map { [$0.info.id] } ?? [])
        let victims = settings.retention.expired(store.runIDs(), now: Int(time(nil)), protected: protected)
        var removed: [RunID] = []
        for id in victims {
            do {
                try store.remove(id)
                removed.append(id)
                logger.info(
                    "run removed",
                    metadata: [
                        "loadd_run_id": "\(id)", "reason": "retention (\(settings.retention.description)), \(reason)",
                    ])
            } catch {
                logger.error("cannot remove run", metadata: ["loadd_run_id": "\(id)", "error": "\(error)"])
            }
        }
        return removed
    }

    /// Removes the runs named, as `loadctl runs rm` asks; checks them all before removing any.
    /// - Throws: `.notFound` for a run not stored, `.conflict` for the active run, `.failed` when a
    ///   folder cannot be removed.
    func remove(_ ids: [RunID]) throws -> [RunID] {
        let stored = Set(store.runIDs())
        for id in ids {
            if let run = activeRun, run.info.id == id {
                throw ControlError(.conflict, "run \(id) is \(run.info.state.rawValue): stop it first (`loadctl stop`)")
            }
            guard stored.contains(id) else {
                throw ControlError(.notFound, "no run \(id)", details: ["see `loadctl runs` or GET /v1/runs"])
            }
        }
        var removed: [RunID] = []
        for id in ids where !removed.contains(id) {
            do {
                try store.remove(id)
            } catch {
                throw ControlError(.failed, "\(error)")
            }
            removed.append(id)
            logger.info("run removed", metadata: ["loadd_run_id": "\(id)", "reason": "requested"])
        }
        return removed
    }
}
