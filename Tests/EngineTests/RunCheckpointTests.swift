import Foundation
import Histogram
import Protocol
import TargetServer
import Testing

@testable import Engine

/// A run's books written for a restarted daemon and taken up again (`RunLedger.Checkpoint`).
@Suite struct RunCheckpointTests {
    private static let a = EndpointKey(method: "GET", name: "/a")

    private func ledger() throws -> RunLedger {
        let plan = try ScenarioLoader.load(
            yaml: "host: http://127.0.0.1:1\nusers: 1\ntasks: [ { request: GET /a } ]\n",
            file: "s.yaml", baseDirectory: ".")
        return RunLedger(plan: plan, run: RunID(rawValue: "resume"), expectedReporters: 1, startUnixSeconds: 1000)
    }

    private func interval(second: Int, requests: UInt64, failures: UInt64 = 0, micros: UInt64 = 1000) -> IntervalStats {
        var histogram = LatencyHistogram()
        for i in 0..<requests { histogram.record(micros + i * 10) }
        let reasons = failures > 0 ? [ReasonTally(reason: .status(500), count: failures)] : []
        let row = EndpointInterval(
            key: Self.a, requests: requests, failures: failures, bytes: requests * 100,
            latency: SparseHistogram(histogram), serviceTime: SparseHistogram(histogram),
            failureReasons: reasons)
        var stats = IntervalStats(
            second: second, users: 1, dropped: 0, cpuMicros: 0, wallMicros: 1_000_000, threads: 1,
            endpoints: [row])
        stats.checks = [
            CheckTally(method: "GET", name: "/a", check: "status 200", passes: requests - failures, fails: failures)
        ]
        return stats
    }

    /// Through JSON, as the resume record holds it.
    private func roundTrip(_ checkpoint: RunLedger.Checkpoint) throws -> RunLedger.Checkpoint {
        try WireJSON.decode(RunLedger.Checkpoint.self, from: WireJSON.data(checkpoint))
    }

    @Test func aResumedLedgerSummarisesTheSameFiguresAsTheOneThatWasSaved() throws {
        var books = try ledger()
        for second in 0..<4 { books.absorb(interval(second: second, requests: 50, failures: second == 2 ? 3 : 0)) }
        let before = books.summary(at: .seconds(4), users: 1, threads: 1)
        let saved = try roundTrip(books.checkpoint(at: .seconds(4)))
        #expect(saved.problem == nil)

        var resumed = try ledger()
        resumed.resume(from: saved, resumedAt: .seconds(4))
        let after = resumed.summary(at: .seconds(4), users: 1, threads: 1)
        #expect(after.total.requests == before.total.requests)
        #expect(after.total.failures == before.total.failures)
        #expect(after.total.p95Ms == before.total.p95Ms)
        #expect(after.total.maxMs == before.total.maxMs)
        #expect(after.history.map(\.requests) == before.history.map(\.requests))
        #expect(after.failuresByReason == before.failuresByReason)
        #expect(after.checks == before.checks)
        #expect(after.history.last?.soFar == before.history.last?.soFar)
    }

    @Test func theRestartsGapHasNoHistoryRowsAndIsLeftOutOfTheMeasuredDuration() throws {
        var books = try ledger()
        for second in 0..<3 { books.absorb(interval(second: second, requests: 10)) }
        // Saved 3.4 s into the run, taken up again at 9.6 s: seconds 4…8 saw no load at all.
        let saved = try roundTrip(books.checkpoint(at: .milliseconds(3400)))
        var resumed = try ledger()
        resumed.resume(from: saved, resumedAt: .milliseconds(9600))
        for second in 9..<12 { resumed.absorb(interval(second: second, requests: 10)) }
        let summary = resumed.summary(at: .seconds(12), users: 1, threads: 1)

        let gap = try #require(summary.resumes?.first)
        #expect(gap.gapFrom == 4 && gap.gapTo == 9)
        #expect(abs(gap.gapS - 6.2) < 1e-9)
        #expect(gap.restartedAt == 1003 && gap.resumedAt == 1009)
        #expect(!summary.history.contains { gap.covers($0.second) })
        #expect(summary.total.requests == 60)
        #expect(abs(summary.durationS - (12 - 6.2)) < 1e-9)
        #expect(abs(summary.total.rps - 60 / (12 - 6.2)) < 1e-9)
    }

    @Test func aSecondStillOpenWhenSavedIsClosedIntoTheCheckpointAndCountedOnce() throws {
        var books = try ledger()
        books.expectedReporters = 2
        books.absorb(interval(second: 0, requests: 7))   // one reporter of two: still open
        let saved = try roundTrip(books.checkpoint(at: .milliseconds(900)))
        #expect(saved.measured.history.map(\.requests) == [7])
        #expect(books.measured.history.isEmpty, "the running books keep waiting for the late reporter")
        var resumed = try ledger()
        resumed.resume(from: saved, resumedAt: .seconds(2))
        #expect(resumed.requestCount == 7)
    }

    @Test func aCheckpointThatWasEditedIsRefusedWithTheReason() throws {
        var books = try ledger()
        books.absorb(interval(second: 0, requests: 1))
        var saved = books.checkpoint(at: .seconds(1))
        saved.measured.keys.append(Self.a)
        #expect(saved.problem?.contains("1 totals") == true)
        saved = books.checkpoint(at: .seconds(1))
        saved.version = 99
        #expect(saved.problem?.contains("version 99") == true)
    }
}

/// An `Engine` carrying a saved run on against the built-in target, open model: the run keeps its
/// clock and end, starts no burst of the arrivals it missed, and its first new second follows the gap.
@Suite struct EngineResumeTests {
    @Test(.timeLimit(.minutes(1)))
    func anOpenModelRunResumedMidwayGoesOnFromNowToItsOriginalEnd() async throws {
        let target = try await TargetServer.start(TargetConfig())
        var plan = try ScenarioLoader.load(
            yaml: "host: http://x\nrate: 100/s\nduration: 6s\ntasks: [ { request: GET /Test/V2 } ]\n",
            file: "test.yaml", baseDirectory: ".")
        plan.host = target.baseURL
        // Saved 1.5 s into a run that started 3 s ago (whole seconds: the wall clock's second).
        let started = Int(Date().timeIntervalSince1970) - 3
        let saved = RunLedger(plan: plan, run: nil, expectedReporters: 1, startUnixSeconds: started)
            .checkpoint(at: .milliseconds(1500))
        var options = EngineOptions(threads: 2)
        options.resume = EngineResume(checkpoint: saved)
        let began = ContinuousClock.now
        let engine = try Engine(plan: plan, options: options)
        engine.start()
        let summary = await engine.finished()
        let took = began.duration(to: .now)
        try await target.stop()

        #expect(took < .seconds(5), "the run ended at its original end, about 3 s from the resume (took \(took))")
        let gap = try #require(summary.resumes?.first)
        #expect(gap.gapFrom == 2)
        #expect(summary.history.allSatisfy { $0.second >= gap.gapTo })
        // About 100/s over the ~3 s left, not the 300 arrivals "missed" since the start.
        #expect(summary.total.requests > 150 && summary.total.requests < 420, "\(summary.total.requests)")
        #expect((summary.openModel?.dropped ?? 0) < 10)
        // 1.5 s saved + what was left: the start is truncated to its wall second, so 2–3 s; plus the
        // drain. 4.5 s was that sum's edge with no slack (4.53 s seen in a whole-suite run).
        #expect(summary.durationS < 5.0)
    }
}
