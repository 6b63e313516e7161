import Testing

@testable import Report

@Suite struct RedrawScheduleTests {
    @Test func filesAreRedrawnEverySecondForTenMinutesThenLessOftenAsTheHistoryGrows() {
        #expect(RedrawSchedule.resultsPeriod(historySeconds: 0) == .seconds(1))
        #expect(RedrawSchedule.resultsPeriod(historySeconds: 600) == .seconds(1))
        #expect(RedrawSchedule.resultsPeriod(historySeconds: 3600) == .seconds(6))
        #expect(RedrawSchedule.resultsPeriod(historySeconds: 86_400) == .seconds(144))
        #expect(RedrawSchedule.reportPeriod(historySeconds: 60) == .seconds(10))
        #expect(RedrawSchedule.reportPeriod(historySeconds: 3600) == .seconds(60))
    }

    @Test func rowsRedrawnPerSecondStayFlatAsARunGrows() {
        // Rows rendered per second of run: history length over the period. Bounded by 600 for the
        // files however long the run, where a fixed 1 s period would grow without end.
        for seconds in [600, 3600, 86_400, 604_800] {
            let period = RedrawSchedule.resultsPeriod(historySeconds: seconds)
            #expect(Double(seconds) / Double(period.components.seconds) <= 601, "at \(seconds) s")
        }
    }

    @Test func aFileNeverWrittenIsDueAndOneWrittenWithinItsPeriodIsNot() {
        #expect(RedrawSchedule.isDue(since: nil, period: .seconds(10)))
        #expect(!RedrawSchedule.isDue(since: .seconds(9), period: .seconds(10)))
        #expect(RedrawSchedule.isDue(since: .seconds(10), period: .seconds(10)))
    }
}
