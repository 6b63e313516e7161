import Foundation
import Histogram
import Protocol
import TargetServer
import Testing

@testable import Engine

/// A restart's gap inside the warm-up (`RunLedger.resume`): the warm-up still gets its seconds of
/// load, so it ends later; the run's end does not move, so the measured span is that much shorter.
@Suite struct WarmupResumeTests {
    /// `warmup: 10s`, `duration: 20s`: the run ends 30 s after its start, whatever happens.
    private func ledger() throws -> RunLedger {
        let plan = try ScenarioLoader.load(
            yaml: "host: http://127.0.0.1:1\nusers: 1\nwarmup: 10s\nduration: 20s\ntasks: [ { request: GET /a } ]\n",
            file: "s.yaml", baseDirectory: ".")
        return RunLedger(plan: plan, run: RunID(rawValue: "warm"), expectedReporters: 1, startUnixSeconds: 1000)
    }

    /// Saved at `saved` and taken up at `resumed` (run time), through the record's JSON.
    private func restarted(_ books: RunLedger, saved: Duration, resumed: Duration) throws -> RunLedger {
        let checkpoint = try WireJSON.decode(
            RunLedger.Checkpoint.self, from: WireJSON.data(books.checkpoint(at: saved)))
        var resumedBooks = try ledger()
        resumedBooks.resume(from: checkpoint, resumedAt: resumed)
        return resumedBooks
    }

    @Test func aGapInsideTheWarmupMovesItsEndLaterByTheGapAndTheRunsEndStays() throws {
        var books = try ledger()
        for second in 0..<4 { books.absorb(interval(second: second, requests: 10)) }
        // Down from 3.4 s to 8.6 s: 5.2 s without load, so the 10 s warm-up ends at 15.2 s, at second 16.
        books = try restarted(books, saved: .milliseconds(3400), resumed: .milliseconds(8600))
        #expect(books.warmupSeconds == 16)
        #expect(books.plannedWarmupSeconds == 10)
        #expect(books.measureStartSecond == 16)
        #expect(books.runLength == .seconds(30), "the end stays 30 s after the start")

        for second in 8..<30 { books.absorb(interval(second: second, requests: 10)) }
        let summary = books.summary(at: .seconds(30), users: 1, threads: 1)
        #expect(summary.warmup?.requests == 40 + 8 * 10, "seconds 8…15 are warm-up")
        #expect(summary.total.requests == 14 * 10, "seconds 16…29 are measured")
        #expect(summary.startedAt == 1016)
        #expect(abs(summary.durationS - 14) < 1e-9)
        // The warm-up's rate is over the 10.8 s it had load, not the 16 s since the start.
        #expect(abs((summary.warmup?.rps ?? 0) - 120 / 10.8) < 1e-6)
    }

    @Test func aGapAcrossTheWarmupsEndLeavesItTheSecondsItStillNeeds() throws {
        var books = try ledger()
        for second in 0..<8 { books.absorb(interval(second: second, requests: 10)) }
        // 8 s of warm-up had load before the restart; it gets its last 2 s after the resume at 13 s.
        books = try restarted(books, saved: .seconds(8), resumed: .seconds(13))
        #expect(books.warmupSeconds == 15)
        books.absorb(interval(second: 14, requests: 10))
        books.absorb(interval(second: 15, requests: 10))
        #expect(books.requestCount == 10)
        #expect(books.summary(at: .seconds(16), users: 1, threads: 1).warmup?.requests == 90)
    }

    @Test func aGapAfterTheWarmupLeavesItAsPlanned() throws {
        var books = try ledger()
        for second in 0..<13 { books.absorb(interval(second: second, requests: 10)) }
        books = try restarted(books, saved: .milliseconds(12500), resumed: .seconds(16))
        #expect(books.warmupSeconds == 10)
        #expect(books.measureStartSecond == 10)
        #expect(books.summary(at: .seconds(17), users: 1, threads: 1).warmup?.requests == 100)
    }

    @Test func twoGapsInsideTheWarmupBothMoveItsEnd() throws {
        var books = try ledger()
        books = try restarted(books, saved: .seconds(2), resumed: .seconds(5))   // 3 s
        books = try restarted(books, saved: .seconds(11), resumed: .seconds(14))   // inside the moved end
        #expect(books.warmupSeconds == 16)
        #expect(books.summary(at: .seconds(30), users: 1, threads: 1).resumes?.count == 2)
    }
}

/// An `Engine` carrying on a run saved inside its warm-up, against the built-in target: the books it
/// keeps count the warm-up by the time it had load.
@Suite struct EngineWarmupResumeTests {
    @Test(.timeLimit(.minutes(1)))
    func anEngineResumedInsideTheWarmupMeasuresOnlyAfterTheWarmupHadItsLoad() async throws {
        let target = try await TargetServer.start(TargetConfig())
        var plan = try ScenarioLoader.load(
            yaml: "host: http://x\nrate: 50/s\nwarmup: 3s\nduration: 5s\ntasks: [ { request: GET /Test/V2 } ]\n",
            file: "test.yaml", baseDirectory: ".")
        plan.host = target.baseURL
        // Saved 0.5 s into a run that started 3–4 s ago (the start is truncated to its wall second):
        // a gap of 2.5–3.5 s inside the 3 s warm-up, which so ends at second 6 or 7, of a run ending at 8.
        let started = Int(Date().timeIntervalSince1970) - 3
        let saved = RunLedger(plan: plan, run: nil, expectedReporters: 1, startUnixSeconds: started)
            .checkpoint(at: .milliseconds(500))
        var options = EngineOptions(threads: 1)
        options.resume = EngineResume(checkpoint: saved)
        let engine = try Engine(plan: plan, options: options)
        engine.start()
        let summary = await engine.finished()
        try await target.stop()

        let gap = try #require(summary.resumes?.first)
        let warmupEnd = summary.startedAt - started
        #expect(warmupEnd == Int((3 + gap.gapS).rounded(.up)), "gap \(gap.gapS) s")
        #expect((summary.warmup?.requests ?? 0) > 0)
        #expect(summary.history.allSatisfy { $0.second >= warmupEnd })
        #expect(summary.durationS <= Double(8 - warmupEnd) + 0.6, "measured \(summary.durationS) s")
    }
}
