import Foundation
import Protocol
import Report
import Testing

@Test func jsonRoundTrips() throws {
    let summary = Fixture.summary(abortReason: "stopped")
    #expect(try SummaryJSON.decode(SummaryJSON.encode(summary)) == summary)
}

@Test func jsonUsesWireKeys() throws {
    let text = SummaryJSON.encode(Fixture.summary())
    let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    for key in ["total", "failures_by_reason", "passed", "endpoints", "history", "thresholds", "generator"] {
        #expect(object[key] != nil, "missing \(key)")
    }
    let total = try #require(object["total"] as? [String: Any])
    for key in [
        "method", "name", "requests", "failures", "median_ms", "p90_ms", "p95_ms", "p99_ms", "avg_ms",
        "min_ms", "max_ms", "avg_bytes", "rps",
    ] {
        #expect(total[key] != nil, "missing total.\(key)")
    }
}

@Test func jsonIsPrettyWithSortedKeysAndReadablePaths() {
    let text = SummaryJSON.encode(Fixture.summary())
    #expect(text.contains("\n  \"abort_reason\"") == false)   // nil is left out, not written as null
    #expect(text.contains("\"/post/[id]\""))
    let topKeys = text.split(separator: "\n").filter { $0.hasPrefix("  \"") }.map { $0.split(separator: "\"")[1] }
    #expect(topKeys == topKeys.sorted())
}

@Test func nonFiniteFiguresSurviveTheRoundTrip() throws {
    var summary = Fixture.summary()
    summary.total.rps = .infinity
    #expect(try SummaryJSON.decode(SummaryJSON.encode(summary)).total.rps == .infinity)
}

@Test func decodeSaysWhichKeyIsMissingAndWhere() {
    var text = SummaryJSON.encode(Fixture.summary())
    text = text.replacingOccurrences(of: "\"median_ms\"", with: "\"medianMs\"")
    let error = #expect(throws: ReportError.self) { try SummaryJSON.decode(text) }
    #expect(error?.description.contains("missing key \"median_ms\" at endpoints[0]") == true)
}

@Test func decodeRejectsNonJSON() {
    #expect(throws: ReportError.self) { try SummaryJSON.decode("PASSED") }
}
