import Logging
import Protocol

extension RunManager {
    /// Stamps `request.text` into the running (or stopping) run and logs it with the run's id, so
    /// `journalctl LOADD_RUN_ID=…` shows the marks among the run's lines.
    /// - Throws: `.conflict` without a run or on a worker (its master keeps the fleet's marks) or
    ///   past `RunMark.maxPerRun`; `.invalid` for text `RunMark.problem` refuses.
    func mark(_ request: MarkRequest) throws -> RunMark {
        guard let run = activeRun else { throw ControlError(.conflict, "cannot mark: no run is going") }
        guard let driver = run.engine as? MarkingDriver else {
            throw ControlError(.conflict, "cannot mark: run \(run.info.id) has no marks here")
        }
        if let worker = driver.inner as? WorkerShareDriver {
            throw ControlError(
                .conflict,
                "cannot mark here: this node is a worker of \(worker.master); its master keeps the run's marks",
                details: ["run loadctl mark on the master"])
        }
        let mark = try driver.mark(request.text)
        cache(driver.snapshot())
        run.logger.notice("mark", metadata: ["mark": "\(mark.text)", "elapsed_s": "\(mark.elapsedS)"])
        return mark
    }
}
