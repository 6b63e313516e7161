import Protocol

extension RunAggregator {
    /// The `RunSummary` of what has been merged so far, thresholds evaluated: one builder for a
    /// local engine and a fleet's master alike. It passes when nothing aborted it and its thresholds
    /// hold, or, without thresholds, when no request failed.
    /// - Parameters:
    ///   - measuredSeconds: the span rates are taken over (run time since start or last reset).
    ///   - startedAt: Unix seconds the measured span began.
    ///   - threads: engine threads that produced the intervals (all nodes together).
    public func summary(
        plan: Plan, run: RunID?, startedAt: Int, measuredSeconds: Double, users: Int,
        threads: Int, abortReason: String?
    ) -> RunSummary {
        let (rows, total) = rows(seconds: measuredSeconds)
        let failureText = FailureText(plan: plan)
        let saturated = history.filter { $0.generatorCpu > 0.9 }.count
        let generator = GeneratorLoad(
            peakCpu: history.map(\.generatorCpu).max() ?? 0, saturatedSeconds: saturated,
            possiblyGeneratorBound: saturated >= 2 && Double(saturated) >= 0.2 * Double(history.count),
            threads: threads)
        var generatorLoad = generator
        if let lag = total.lag, lag.p99Ms > ScheduleLag.bound(latencyMedianMs: total.medianMs) {
            let bound = ScheduleLag.bound(latencyMedianMs: total.medianMs)
            func ms(_ value: Double) -> String { "\((value * 100).rounded() / 100)" }
            generatorLoad.scheduleLagLimited =
                "schedule lag p99 \(ms(lag.p99Ms)) ms is above \(ms(bound)) ms "
                + "(5 ms or a tenth of the latency median): requests left late, and their latency includes it; "
                + "add threads or nodes, or lower the load per thread"
        }
        var summary = RunSummary(
            run: run, scenario: plan.name, host: plan.host, startedAt: startedAt, durationS: measuredSeconds,
            users: users, endpoints: rows, total: total, failuresByReason: failureCounts(failureText),
            history: soFar.markingPartialTail(history),
            thresholds: [], generator: generatorLoad, abortReason: abortReason, passed: true)
        summary.checks = checks.isEmpty ? nil : checks
        summary.skippedSteps = skipped == 0 ? nil : skipped
        summary.recent = recentSeconds.window()
        if !resetSeconds.isEmpty { summary.statsResetAt = resetSeconds.map { startUnixSeconds + $0 } }
        summary.tasks = plan.taskRatios
        let slow = SlowPeriodFinder.find(
            summary.history, reasons: soFar.reasonsBySecond,
            text: { failureText.text($0.reason, endpoint: $0.endpoint) },
            bounds: plan.slowBounds, startUnixSeconds: startUnixSeconds)
        if !slow.periods.isEmpty { summary.slowPeriods = slow.periods }
        if slow.notListed > 0 { summary.slowPeriodsNotListed = slow.notListed }
        summary.thresholds = plan.thresholds.map { $0.evaluate(on: summary) }
        // Thresholds, when given, say which failures are acceptable; without them any failed request
        // fails the run, as Locust's exit status does.
        let judged = plan.thresholds.isEmpty ? total.failures == 0 : summary.thresholds.allSatisfy(\.passed)
        summary.passed = abortReason == nil && judged
        return summary
    }
}
