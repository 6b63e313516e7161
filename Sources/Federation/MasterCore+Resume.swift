import Engine
import Foundation
import Logging
import Protocol

extension MasterCore {
    /// Takes up a run a previous master saved: no share yet, the workers connected now join it at
    /// once and the others as they reconnect (`admit`). - Throws: when a run is going.
    mutating func resumeRun(
        _ request: FleetRun.Request, ledger: RunLedger.Checkpoint,
        fleet: FleetRunCheckpoint
    ) throws(FederationError) {
        if let run, run.phase != .finished { throw FederationError("run \(run.id) is \(run.phase.rawValue)") }
        let now = self.now
        run = FleetRun.resume(
            request, ledger: ledger, fleet: fleet, now: now, unixNow: Date().timeIntervalSince1970,
            stopGrace: max(.seconds(5), configuration.heartbeatTimeout * 2),
            deliveryGrace: configuration.limits.deliveryGrace)
        var runLogger = logger
        runLogger[metadataKey: "loadd_run_id"] = "\(request.id)"
        self.runLogger = runLogger
        for capacity in membership.capacities {
            guard let threads = membership.members[capacity.node]?.hello.threads else { continue }
            update { $0.join(capacity, threads: threads, now: now) }
        }
        runLogger.notice(
            "fleet run resumed",
            metadata: [
                "workers": "\(membership.count)", "split": "\(run?.describeShares() ?? "none")",
            ])
    }
}

extension MasterCore {
    /// loadd is shutting down with the run saved for resuming (`FleetRun.suspend`): the workers are
    /// told to stop; `finished(id)` returns once their last reports are in, and `checkpoint()` then
    /// takes the books. Nothing is acknowledged past that save (`takeAckFrames`).
    mutating func suspendRun() {
        guard run?.phase == .running else { return }
        let now = self.now
        update { $0.suspend(now: now) }
        runLogger?.notice(
            "fleet run suspended for resuming: its workers stop now",
            metadata: ["workers": "\(run?.shares.count ?? 0)"])
    }
}

extension FederationMaster {
    /// Stops the workers' load for a shutdown that keeps the run for the next master (see
    /// `MasterCore.suspendRun`); await `finished(id)`, then save `checkpoint()`.
    public func suspendRun() {
        withCore { (core: inout MasterCore) in core.suspendRun() }
    }

    /// Carries on a run a previous master saved (`FleetRun.resume`). - Throws: when a run is going.
    public func resumeRun(
        _ request: FleetRun.Request, ledger: RunLedger.Checkpoint,
        fleet: FleetRunCheckpoint
    ) throws(FederationError) {
        try withCore { (core: inout MasterCore) throws(FederationError) in
            try core.resumeRun(request, ledger: ledger, fleet: fleet)
        }
    }

    /// The current run's books for the daemon's resume record; `nil` without a run going.
    public func checkpoint() -> (ledger: RunLedger.Checkpoint, fleet: FleetRunCheckpoint)? {
        // The run copied under the lock and written out after it, so a thousand workers' reports
        // never wait on the encoding (the copy costs one copy of the histograms the next report touches).
        let taken = withCore { (core: inout MasterCore) -> (run: FleetRun, now: Duration)? in
            // A suspended run's books are taken once it has finished: its workers' last seconds are in.
            guard let run = core.run, run.phase != .finished || run.suspended else { return nil }
            // The reports acknowledged from now on must be in a written save first (`AckSaveGate`).
            core.ackSaveGate.capture(&core.pendingAcks, of: run.id)
            return (run, core.now)
        }
        return taken.map { $0.run.checkpoint(now: $0.now) }
    }

    /// The books `checkpoint()` gave last are written: the workers may forget what they hold.
    public func checkpointSaved() {
        withCore { (core: inout MasterCore) in core.ackSaveGate.saved() }
    }
}
