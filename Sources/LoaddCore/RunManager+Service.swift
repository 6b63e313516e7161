import Engine
import Protocol
import ServiceLifecycle

/// A run as `begin` hands it to the manager's service: what to tick and watch.
struct BegunRun: Sendable {
    let id: RunID
    let engine: any RunDriver
}

/// The run manager as one of the daemon's services. Its `run()` owns every task the manager needs
/// beside requests — the retention timer, and each run's one-second ticker and finish watcher —
/// as children, so none outlives it. Graceful shutdown (SIGTERM) stops the current run and writes
/// its results (`shutdown()`) before `run()` returns.
extension RunManager: Service {
    func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.pruneEvery(RunRetention.period) }
            for await begun in begunRuns.cancelOnGracefulShutdown() {
                group.addTask { await self.watch(begun) }
            }
            await shutdown()
            // The retention timer; the last run's ticker and watcher end with it, as it is written.
            group.cancelAll()
        }
    }

    /// Writes the run's files every second while it is current, and records its verdict when its
    /// engine finishes (`finish` does nothing when `shutdown()` recorded it first).
    private nonisolated func watch(_ begun: BegunRun) async {
        await withDiscardingTaskGroup { group in
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(1))
                    guard !Task.isCancelled, await self.tick(begun.id) else { return }
                }
            }
            let summary = await begun.engine.finished()
            group.cancelAll()
            await self.finish(begun.id, summary: summary)
        }
    }
}
