import Protocol
import TargetServer
import TestSupport
import Testing

@testable import Engine

/// The summary's slow or lost periods: pure over a history, and for real across a hang of the
/// built-in target.
@Suite struct SlowPeriodTests {
    private func second(
        _ index: Int, requests: UInt64, failures: UInt64 = 0, p99: Double = 5, max: Double = 8,
        users: Int = 4
    ) -> HistorySample {
        HistorySample(
            second: index, timestamp: 1_000 + index + 1, users: users, requests: requests, failures: failures,
            medianMs: 2, p95Ms: p99 / 2, p99Ms: p99, maxMs: max, avgMs: 2, generatorCpu: 0.1)
    }

    @Test func quietSecondsEndedByARequestThatWaitedThemOutAreOneHang() throws {
        let history = [
            second(0, requests: 100), second(1, requests: 0), second(2, requests: 0), second(3, requests: 0),
            second(4, requests: 4, p99: 3_100, max: 3_150), second(5, requests: 100),
        ]
        let (periods, notListed) = SlowPeriodFinder.find(
            history, reasons: [:], bounds: SlowBounds(), startUnixSeconds: 1_000)
        #expect(notListed == 0)
        #expect(periods.count == 1)
        let period = try #require(periods.first)
        #expect(period.startS == 1 && period.endS == 5 && period.startedAt == 1_001)
        #expect(period.causes == [.hang, .p99])
        #expect(period.worstP99Ms == 3_100 && period.requests == 4)
    }

    @Test func aLongThinkTimeWithNothingOutstandingIsNotAHang() {
        // Two quiet seconds, then requests that took 5 ms: nobody was waiting.
        let history = [second(0, requests: 3), second(1, requests: 0), second(2, requests: 0), second(3, requests: 3)]
        #expect(SlowPeriodFinder.find(history, reasons: [:], bounds: SlowBounds(), startUnixSeconds: 0).periods.isEmpty)
        // Nor are seconds without users, nor a quiet stretch still going at the newest second.
        let idle = [second(0, requests: 3), second(1, requests: 0, users: 0), second(2, requests: 0)]
        #expect(SlowPeriodFinder.find(idle, reasons: [:], bounds: SlowBounds(), startUnixSeconds: 0).periods.isEmpty)
    }

    @Test func slowAndFailingSecondsMergeWhereTheyTouchWithFailuresByReason() throws {
        let history = [
            second(0, requests: 100), second(1, requests: 100, p99: 1_500, max: 2_000),
            second(2, requests: 100, failures: 5), second(3, requests: 100), second(4, requests: 100, failures: 1),
            second(5, requests: 100, failures: 2),
        ]
        let reasons = [2: ["HTTP 503": UInt64(4), "timeout": 1], 5: ["HTTP 503": 2]]
        let (periods, _) = SlowPeriodFinder.find(history, reasons: reasons, bounds: SlowBounds(), startUnixSeconds: 0)
        #expect(periods.map(\.startS) == [1, 5])
        #expect(periods.map(\.endS) == [3, 6])
        #expect(periods[0].causes == [.failures, .p99])
        #expect(
            periods[0].failuresByReason == [
                FailureTally(reason: "HTTP 503", count: 4), FailureTally(reason: "timeout", count: 1),
            ])
        #expect(periods[0].worstP99Ms == 1_500 && periods[0].maxMs == 2_000)
        // 1 failure in 100 is not above 1 %; with slow_failures: 0 any failure counts.
        let strict = SlowPeriodFinder.find(
            history, reasons: reasons, bounds: SlowBounds(failureShare: 0), startUnixSeconds: 0)
        #expect(strict.periods.map(\.startS) == [1, 4])
    }

    @Test func theNearestMarkIsNamedWithItsOffset() {
        let period = SlowPeriod(
            startS: 10, endS: 14, startedAt: 0, causes: [.hang], worstP99Ms: 0, maxMs: 0, requests: 0,
            failures: 0, failuresByReason: [])
        let marks = [
            RunMark(text: "rollout start", unixTime: 0, elapsedS: 8.5),
            RunMark(text: "done", unixTime: 0, elapsedS: 30),
        ]
        let marked = SlowPeriod.withNearestMarks([period], marks)
        #expect(marked[0].nearestMark == NearestMark(text: "rollout start", elapsedS: 8.5, offsetS: -1.5))
    }

    @Test func reportBoundsAreReadAndBadOnesLocatedByLineAndColumn() throws {
        let base = "name: s\nhost: http://127.0.0.1:1\ntasks: [ { request: GET / } ]\n"
        let plan = try ScenarioLoader.load(
            yaml: base + "report: { slow_p99: 250ms, slow_failures: 5% }\n", file: "s.yaml",
            baseDirectory: ".")
        #expect(plan.slowBounds == SlowBounds(p99: .milliseconds(250), failureShare: 0.05))
        #expect(try ScenarioLoader.load(yaml: base, file: "s.yaml", baseDirectory: ".").slowBounds == SlowBounds())
        for (bad, message) in [
            ("report: { slow_p99: 2h }", "s.yaml:4:21: report.slow_p99:"),
            (
                "report: { slow_failures: 150% }",
                "s.yaml:4:26: report.slow_failures: must be 0…100% (a fraction 0…1), got 150%"
            ),
            (
                "report: { slow_p9: 1s }",
                "s.yaml:4:11: report.slow_p9: unknown key 'slow_p9' (did you mean 'slow_p99'?)"
            ),
        ] {
            let error = #expect(throws: ScenarioErrors.self) {
                try ScenarioLoader.load(yaml: base + bad + "\n", file: "s.yaml", baseDirectory: ".")
            }
            #expect(
                error?.errors.contains { $0.description.hasPrefix(message) } == true, "\(String(describing: error))")
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func aThreeSecondHangOfTheTargetIsOnePeriodOfAboutThreeSeconds() async throws {
        let summary = try await runAgainstTarget(
            """
            name: hang
            host: http://placeholder
            users: 2
            spawn_rate: 100
            wait: { constant: 20ms }
            tasks: [ { request: GET /Test/V1 } ]
            """, threads: 1
        ) { engine, target in
            try await eventually("a first second of history") { (engine.snapshot().history.last?.second ?? -1) >= 1 }
            let hungAt = engine.snapshot().history.last!.second
            _ = try target.update(TargetChange(stall: .seconds(3)))
            try await eventually("the history to pass the hang") {
                (engine.snapshot().history.last?.second ?? 0) >= hungAt + 7
            }
            engine.stop()
        }
        let periods = summary.slowPeriods ?? []
        #expect(periods.count == 1, "\(periods)")
        let period = try #require(periods.first)
        #expect((2...4).contains(period.durationS), "\(period)")
        #expect(period.causes.contains(.hang))
        #expect(period.failures == 0 && period.maxMs >= 2_000)
    }
}
