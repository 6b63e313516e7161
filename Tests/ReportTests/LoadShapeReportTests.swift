import Protocol
import Testing

@testable import Report

@Suite struct LoadShapeReportTests {
    private func openSummary() -> RunSummary {
        var summary = Fixture.summary()
        summary.openModel = OpenModelStats(targetRate: 2000, maxInFlight: 50, dropped: 17)
        summary.history = summary.history.map { sample in
            var sample = sample
            sample.dropped = 3
            return sample
        }
        summary.warmup = Fixture.endpoint("", "Aggregated", requests: 900, failures: 2, median: 4)
        return summary
    }

    @Test func tableShowsTheOpenModelsTargetAndDroppedIterations() {
        let text = SummaryTable.render(openSummary())
        #expect(text.contains("Open model: target 2000.0/s"))
        #expect(text.contains("17 dropped iterations"))
        #expect(text.contains("Warm-up (not counted above): 900 requests, 2 failures"))
    }

    @Test func aFleetRunsEventsAreListedWithTheSecondEachHappenedIn() {
        var summary = Fixture.summary()
        summary.fleetEvents = [
            FleetEvent(second: 0, message: "run started: 8 users over 2 workers: w1 4, w2 4"),
            FleetEvent(second: 41, message: "worker w2 lost (killed); users re-split: w1 8"),
        ]
        let text = SummaryTable.render(summary)
        #expect(
            text.contains(
                """
                Fleet events:
                   0 s  run started: 8 users over 2 workers: w1 4, w2 4
                  41 s  worker w2 lost (killed); users re-split: w1 8
                """))
        #expect(!SummaryTable.render(Fixture.summary()).contains("Fleet events"))
    }

    @Test func historyCSVGainsADroppedColumnForOpenModelRunsOnly() {
        let open = LocustCSV.history(openSummary()).split(separator: "\r\n")
        #expect(open[0].hasSuffix(",Dropped Iterations"))
        #expect(open.dropFirst().allSatisfy { $0.hasSuffix(",3") })
        let closed = LocustCSV.history(Fixture.summary()).split(separator: "\r\n")
        #expect(String(closed[0]) == LocustCSV.historyHeader.joined(separator: ","))
    }
}
