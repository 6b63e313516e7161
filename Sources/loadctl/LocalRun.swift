import ArgumentParser
import Engine
import Foundation
import Protocol
import Report

/// Runs a plan in this process with a live line once a second, then prints the report:
/// what `run` and `demo` share. Ctrl-C stops the run early and still reports.
struct LocalRun {
    var plan: Plan
    var threads: Int
    var json: Bool
    var files: ReportFiles
    var quiet: Bool

    func execute() async throws -> RunSummary {
        let engine: Engine
        do {
            engine = try Engine(plan: plan, options: EngineOptions(threads: threads))
        } catch {
            Console.err("loadctl: \(error)")   // the run does not fit in this machine's memory
            throw ExitCodes.badInput
        }
        // Ctrl-C (or SIGTERM) stops the run gracefully instead of killing the process: it still reports.
        let interrupts = SignalEvents([SIGINT, SIGTERM]) { _ in engine.stop() }
        defer { interrupts.cancel() }
        if !quiet { Console.err(banner) }
        engine.start()
        var tick = 0
        while engine.phase != .finished {
            try? await Task.sleep(for: .milliseconds(100))
            tick += 1
            if tick % 10 == 0 && !quiet && engine.phase == .running {
                let live = engine.snapshot()
                Console.err(
                    LiveLine.render(
                        elapsed: live.durationS, users: live.users, targetUsers: plan.peakUsers,
                        total: live.total,
                        currentRps: live.total.currentRps,
                        failuresPerS: live.total.currentFailuresPerS ?? 0))
            }
        }
        let summary = await engine.finished()
        if json {
            Console.out(SummaryJSON.encode(summary))
        } else {
            Console.out(SummaryTable.render(summary))
        }
        try files.write(summary)
        return summary
    }

    private var banner: String {
        let load =
            plan.arrivalRate.map { "open model at \($0)/s (at most \(plan.maxInFlight) in flight)" }
            ?? "\(plan.users) users at \(plan.spawnRate)/s"
        let shape = plan.stages.isEmpty ? "" : ", \(plan.stages.count) stages"
        let warmup = plan.warmup.map { ", warm-up \($0.components.seconds)s" } ?? ""
        let duration = plan.measuredDuration.map { "\($0.components.seconds)s" } ?? "until stopped (Ctrl-C)"
        return "loadctl: \(plan.name) → \(plan.host): \(load)\(shape)\(warmup), \(duration), "
            + "\(threads) engine thread\(threads == 1 ? "" : "s")"
    }
}
