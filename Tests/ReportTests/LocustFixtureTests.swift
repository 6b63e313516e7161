import Foundation
import Protocol
import Report
import Testing

/// `Tests/Fixtures/locust-2.47/`: the four CSV files Locust 2.47.0 itself wrote (see its README.md).
let locustFixtureFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/locust-2.47").path

/// Splits a CSV document that has no quoted fields (the fixture's rows and ours here have none).
private func table(_ csv: String) -> [[String]] {
    csv.components(separatedBy: "\r\n").filter { !$0.isEmpty }.map {
        $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    }
}

private func fixture(_ file: String) throws -> [[String]] {
    table(try String(contentsOfFile: locustFixtureFolder + "/" + file, encoding: .utf8))
}

/// What a reader of the cell sees: an integer, a decimal, Locust's `N/A`, an ISO UTC time, empty, or text.
private func kind(_ cell: String) -> String {
    if cell.isEmpty { return "empty" }
    if cell == "N/A" { return "N/A" }
    let digits = { (s: Substring) in !s.isEmpty && s.allSatisfy(\.isNumber) }
    if digits(Substring(cell)) { return "int" }
    let parts = cell.split(separator: ".", omittingEmptySubsequences: false)
    if parts.count == 2, digits(parts[0]), digits(parts[1]) { return "float" }
    if cell.count == 20, cell.hasSuffix("Z"), cell.dropFirst(10).first == "T" { return "iso-utc" }
    return "text"
}

@Suite struct LocustFixtureTests {
    @Test func ourFourFilesHaveTheHeadersLocust247Wrote() throws {
        let summary = LocustShaped.summary()
        #expect(table(LocustCSV.stats(summary))[0] == (try fixture("out_stats.csv"))[0])
        #expect(table(LocustCSV.history(summary))[0] == (try fixture("out_stats_history.csv"))[0])
        #expect(table(LocustCSV.failures(summary))[0] == (try fixture("out_failures.csv"))[0])
        #expect(
            LocustCSV.exceptions(summary)
                == (try String(
                    contentsOfFile: locustFixtureFolder + "/out_exceptions.csv", encoding: .utf8)))
    }

    @Test func statsRowsWriteIntsAndDecimalsWhereLocustDoes() throws {
        let theirs = try fixture("out_stats.csv")
        let ours = table(LocustCSV.stats(LocustShaped.summary()))
        #expect(ours.count == theirs.count)   // header, two endpoints, Aggregated
        for (mine, locust) in zip(ours.dropFirst(), theirs.dropFirst()) {
            #expect(mine.map(kind) == locust.map(kind), "\(mine) against Locust's \(locust)")
        }
    }

    @Test func historyRowsAreFilledAsLocustFillsThemBeforeAndAfterTheFirstRequest() throws {
        let theirs = try fixture("out_stats_history.csv")
        let ours = table(LocustCSV.history(LocustShaped.summary()))
        // Locust's first row is before any request; its last has the whole run.
        #expect(ours[1].map(kind) == theirs[1].map(kind), "\(ours[1]) against Locust's \(theirs[1])")
        for row in ours.dropFirst(2) {
            #expect(row.map(kind) == theirs.last!.map(kind), "\(row) against Locust's \(theirs.last!)")
            #expect(!row.contains("N/A"))
        }
    }

    @Test func historyLeavesOutThePartialLastSecondAndShowsTheRunSoFar() {
        let rows = table(LocustCSV.history(LocustShaped.summary()))
        #expect(rows.map { $0[0] } == ["Timestamp", "1795978123", "1795978124", "1795978125"])
        // 50% … 100%, then the totals: the run so far, as Locust's aggregated row.
        #expect(Array(rows[3][6...16]) == ["4", "6", "7", "9", "13", "28", "41", "44", "53", "53", "53"])
        #expect(Array(rows[3][17...23]) == ["170", "38", "4", "7.141", "1.427", "53.000", "79.54"])
        #expect(Array(rows[1][17...23]) == ["0", "0", "0", "0.000", "0", "0", "0"])
    }

    @Test func failuresCarryFirstAndLastSeenAsLocustWritesThem() throws {
        let theirs = try fixture("out_failures.csv")
        let ours = table(LocustCSV.failures(LocustShaped.summary()))
        #expect(ours[1].map(kind) == theirs[1].map(kind))
        #expect(Array(ours[1][4...5]) == ["2026-11-29T18:48:42Z", "2026-11-29T18:48:47Z"])
    }
}
