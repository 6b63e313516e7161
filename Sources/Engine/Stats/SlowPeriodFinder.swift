import Protocol

/// Finds the summary's slow periods in a run's per-second history: seconds whose p99 or failed share
/// exceeds the scenario's bounds, and hangs, merged where they touch. Pure: the history and the
/// per-second failure reasons in, the periods out.
///
/// A hang is a run of k seconds in which nothing completed although users were running, followed by a
/// completion that had waited through them: its latency from intended start is at least k − ½ s (the
/// request may have been sent inside the first quiet second, as when the target froze just as it
/// was called). So a think time longer than a second, with nothing outstanding, is not a hang. A hang
/// still going at the newest second is not listed yet: only its end tells it from idleness.
public enum SlowPeriodFinder {
    /// Periods listed at most; more are counted in `RunSummary.slowPeriodsNotListed`.
    public static let maxPeriods = 1_000

    public static func find(
        _ history: [HistorySample], reasons: [Int: [String: UInt64]], bounds: SlowBounds,
        startUnixSeconds: Int
    ) -> (periods: [SlowPeriod], notListed: Int) {
        find(history, reasons: reasons, text: { $0 }, bounds: bounds, startUnixSeconds: startUnixSeconds)
    }

    /// The same with typed reasons, worded by `text` only for the seconds of a period (reasons whose
    /// words are the same add up into one line).
    static func find<Reason: Hashable>(
        _ history: [HistorySample], reasons: [Int: [Reason: UInt64]],
        text: (Reason) -> String, bounds: SlowBounds,
        startUnixSeconds: Int
    ) -> (periods: [SlowPeriod], notListed: Int) {
        var periods: [SlowPeriod] = []
        var notListed = 0
        var current: SlowPeriod?
        var quiet: [HistorySample] = []

        func finish() {
            guard var period = current else { return }
            current = nil
            period.failuresByReason.sort { ($0.count, $1.reason) > ($1.count, $0.reason) }
            if periods.count < maxPeriods { periods.append(period) } else { notListed += 1 }
        }
        func add(_ sample: HistorySample, _ causes: [SlowPeriod.Cause]) {
            if current == nil || current!.endS != sample.second {
                finish()
                current = SlowPeriod(
                    startS: sample.second, endS: sample.second, startedAt: startUnixSeconds + sample.second,
                    causes: [], worstP99Ms: 0, maxMs: 0, requests: 0, failures: 0, failuresByReason: [])
            }
            current!.endS = sample.second + 1
            current!.causes = Array(Set(current!.causes + causes)).sorted()
            guard sample.requests > 0 else { return }
            current!.worstP99Ms = max(current!.worstP99Ms, sample.p99Ms)
            current!.maxMs = max(current!.maxMs, sample.maxMs)
            current!.requests = current!.requests.saturatingAdd(sample.requests)
            current!.failures = current!.failures.saturatingAdd(sample.failures)
            for (typed, count) in reasons[sample.second] ?? [:] {
                let reason = text(typed)
                if let index = current!.failuresByReason.firstIndex(where: { $0.reason == reason }) {
                    current!.failuresByReason[index].count = current!.failuresByReason[index].count.saturatingAdd(count)
                } else {
                    current!.failuresByReason.append(FailureTally(reason: reason, count: count))
                }
            }
        }

        for sample in history.sorted(by: { $0.second < $1.second }) {
            if let last = quiet.last, sample.second != last.second + 1 { quiet = [] }   // a gap: no verdict
            if sample.requests == 0 {
                if sample.users > 0 { quiet.append(sample) } else { quiet = []; finish() }
                continue
            }
            if !quiet.isEmpty {
                // Waited through the quiet seconds: a request was outstanding the whole time.
                if sample.maxMs >= (Double(quiet.count) - 0.5) * 1000 {
                    for second in quiet { add(second, [.hang]) }
                } else {
                    finish()
                }
                quiet = []
            }
            var causes: [SlowPeriod.Cause] = []
            if sample.p99Ms > bounds.p99Ms { causes.append(.p99) }
            if Double(sample.failures) > bounds.failureShare * Double(sample.requests) { causes.append(.failures) }
            // A second right after a hang carries the requests that waited it out: part of the same period.
            if causes.isEmpty, let open = current, open.endS == sample.second, open.causes.contains(.hang),
                sample.maxMs >= 1000
            {
                causes.append(.hang)
            }
            if causes.isEmpty { finish() } else { add(sample, causes) }
        }
        finish()
        return (periods, notListed)
    }
}
