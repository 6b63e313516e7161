import Engine
import Foundation
import NIOHTTP1
import Protocol
import Testing

@testable import LoaddCore

/// `MarkingDriver` in-process: the run's marks join every summary it hands out, and both bounds
/// (text length, marks per run) are refused by name.
@Suite struct MarkingDriverTests {
    /// A driver whose summary has one slow period starting at second 10.
    struct StubDriver: RunDriver {
        let plan: Plan

        func snapshot() -> RunSummary {
            var summary = RunSummary(
                run: nil, scenario: plan.name, host: plan.host, startedAt: 0, durationS: 20, users: 1, endpoints: [],
                total: EndpointSummary(method: "", name: "Aggregated"), failuresByReason: [], history: [],
                thresholds: [],
                generator: GeneratorLoad(peakCpu: 0, saturatedSeconds: 0, possiblyGeneratorBound: false, threads: 1),
                abortReason: nil, passed: true)
            summary.slowPeriods = [
                SlowPeriod(
                    startS: 10, endS: 13, startedAt: 10, causes: [.hang], worstP99Ms: 0, maxMs: 0,
                    requests: 0, failures: 0, failuresByReason: [])
            ]
            return summary
        }

        func snapshotWithBuckets() -> (summary: RunSummary, buckets: [EndpointBuckets]) { (snapshot(), []) }
        func setUsers(_ users: Int, spawnRate: Double?) throws {}
        func setRate(_ rate: Double) throws {}
        func resetStats() throws {}
        func stop(failure: String?) throws {}
        func finished() async -> RunSummary { snapshot() }
    }

    private func driver() throws -> MarkingDriver {
        let plan = try ScenarioLoader.load(
            yaml: "name: s\nhost: http://127.0.0.1:1\ntasks: [ { request: GET / } ]\n",
            file: "s.yaml", baseDirectory: ".")
        return MarkingDriver(StubDriver(plan: plan), startUnixTime: 1_000)
    }

    @Test func marksJoinEverySummaryWithTheNearestMarkOfEachSlowPeriod() async throws {
        let driver = try driver()
        #expect(driver.snapshot().marks == nil)
        _ = try driver.mark("rollout started", now: 1_009.5)
        _ = try driver.mark("rollout done", now: 1_030)
        let summary = driver.snapshot()
        #expect(summary.marks?.map(\.elapsedS) == [9.5, 30])
        #expect(
            summary.slowPeriods?.first?.nearestMark
                == NearestMark(text: "rollout started", elapsedS: 9.5, offsetS: -0.5))
        #expect(await driver.finished().marks?.count == 2)
    }

    @Test func bothBoundsAreRefusedByName() throws {
        let driver = try driver()
        let long = String(repeating: "é", count: RunMark.maxTextCharacters + 1)
        let tooLong = #expect(throws: ControlError.self) { try driver.mark(long, now: 1_001) }
        #expect(tooLong?.kind == .invalid && tooLong?.error.error == "text: at most 200 characters, got 201")
        for index in 0..<RunMark.maxPerRun { _ = try driver.mark("mark \(index)", now: 1_001) }
        let tooMany = #expect(throws: ControlError.self) { try driver.mark("one more", now: 1_002) }
        #expect(tooMany?.kind == .conflict)
        #expect(tooMany?.error.error.contains("marks per run: 1000") == true, "\(String(describing: tooMany?.error))")
        #expect(driver.snapshot().marks?.count == RunMark.maxPerRun)
    }
}
