import Histogram
import Protocol
import Testing

@testable import Engine

/// The run's books both the local engine and a fleet's master keep (`RunLedger`).
@Suite struct RunLedgerTests {
    private func ledger(warmup: String = "") throws -> RunLedger {
        let plan = try ScenarioLoader.load(
            yaml: "host: http://127.0.0.1:1\nusers: 1\n\(warmup)tasks: [ { request: GET /a } ]\n",
            file: "s.yaml", baseDirectory: ".")
        return RunLedger(plan: plan, run: RunID(rawValue: "ledger"), expectedReporters: 1, startUnixSeconds: 1000)
    }

    @Test func aWarmupIsRoundedUpToWholeSeconds() {
        #expect(RunLedger.warmupSeconds(nil) == 0)
        #expect(RunLedger.warmupSeconds(.milliseconds(1)) == 1)
        #expect(RunLedger.warmupSeconds(.seconds(2)) == 2)
        #expect(RunLedger.warmupSeconds(.milliseconds(2001)) == 3)
    }

    @Test func warmupSecondsAreKeptApartFromTheMeasuredSpan() throws {
        var books = try ledger(warmup: "warmup: 1500ms\n")
        #expect(books.warmupSeconds == 2)
        books.absorb(interval(second: 1, requests: 4))
        books.absorb(interval(second: 2, requests: 6))
        let summary = books.summary(at: .seconds(4), users: 1, threads: 1)
        #expect(summary.total.requests == 6)
        #expect(summary.warmup?.requests == 4)
        #expect(summary.startedAt == 1002)
        #expect(summary.durationS == 2)
    }

    @Test func aResetStartsTheMeasuredSpanAtTheNextSecondNeverInsideTheWarmup() throws {
        var books = try ledger(warmup: "warmup: 3s\n")
        let inWarmup = books.reset(at: .milliseconds(500))
        let later = books.reset(at: .milliseconds(5500))
        #expect(inWarmup == 3)
        #expect(later == 6)
        books.absorb(interval(second: 5, requests: 9))
        books.absorb(interval(second: 6, requests: 2))
        #expect(books.requestCount == 2)
        #expect(books.summary(at: .seconds(7), users: 1, threads: 1).startedAt == 1006)
    }

    @Test func theSpanEndsWhenTheRunStoppedAndTheFirstFailureReasonWins() throws {
        var books = try ledger()
        books.fail("threshold failed")
        let first = books.stop(at: .seconds(3))
        let second = books.stop(at: .seconds(4))
        #expect(first && !second)
        books.fail("later reason")
        #expect(books.phase == .stopping)
        let summary = books.summary(at: .seconds(10), users: 1, threads: 1)
        #expect(summary.durationS == 3)
        #expect(summary.abortReason == "threshold failed")
        #expect(!summary.passed)
    }

    @Test func waitersAreHandedBackOnceTheRunHasFinished() async throws {
        var books = try ledger()
        books.absorb(interval(second: 0, requests: 3))
        let summary: RunSummary = await withCheckedContinuation { continuation in
            let kept = books.wait(continuation)
            let early = books.takeWaiters()
            #expect(kept && early.isEmpty)
            books.stop(at: .seconds(1))
            books.finish()
            let waiters = books.takeWaiters()
            #expect(waiters.count == 1)
            for waiter in waiters { waiter.resume(returning: books.summary(at: .seconds(2), users: 1, threads: 1)) }
        }
        #expect(summary.total.requests == 3)
        #expect(books.phase == .finished)
        // A waiter that comes after the end is not kept: its owner resumes it at once.
        let late: RunSummary = await withCheckedContinuation { continuation in
            let kept = books.wait(continuation)
            #expect(!kept)
            continuation.resume(returning: books.summary(at: .seconds(9), users: 1, threads: 1))
        }
        #expect(late.durationS == 1)
    }
}
