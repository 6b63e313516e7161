import Foundation
import Protocol
import Report
import Testing

@Test func tableHasOneRowPerEndpointSortedByNameThenMethodAndAnAggregatedRow() throws {
    let text = SummaryTable.render(Fixture.summary())
    let requests = text.components(separatedBy: "\n\n")[1].split(separator: "\n").map(String.init)
    #expect(requests[1].hasPrefix("Type"))
    let names = requests.filter { $0.hasPrefix("GET") || $0.hasPrefix("POST") }
    #expect(names.count == 3)
    #expect(names[0].hasPrefix("GET ") && names[0].contains(" / "))
    #expect(names[1].contains("/post/[id]"))
    #expect(names[2].contains(Fixture.awkwardName))
    let aggregated = try #require(requests.last)
    #expect(aggregated.contains("Aggregated"))
    #expect(aggregated.contains("3000"))
    #expect(aggregated.contains("12(0.40%)"))
}

@Test func failureCellIsLocustStyleCountAndPercent() {
    #expect(SummaryTable.render(Fixture.summary()).contains("12(0.50%)"))
}

@Test func columnsWidenForTheLongestName() {
    var summary = Fixture.summary()
    let long = "/" + String(repeating: "x", count: 90)
    summary.endpoints.append(Fixture.endpoint("GET", long, requests: 1, failures: 0, median: 1))
    let section = SummaryTable.render(summary).components(separatedBy: "\n\n")[1].split(separator: "\n").dropFirst()
    // The header and every row break into the latency group at the same column.
    let offsets = Set(section.filter { !$0.hasPrefix("-") }.map { $0.range(of: " | ")!.lowerBound.utf16Offset(in: $0) })
    #expect(offsets.count == 1)
    #expect(offsets.first! > long.count)
}

@Test func percentileTableListsLocustPercentilesAndNAForEndpointsWithoutRequests() {
    let text = SummaryTable.render(Fixture.summary())
    #expect(text.contains("50%") && text.contains("99.99%") && text.contains("100%"))
    let searchRows = text.split(separator: "\n").filter { $0.contains(Fixture.awkwardName) }
    #expect(searchRows.contains { $0.contains("N/A") })
}

@Test func serviceTimeIsLabelledApartFromLatency() {
    let text = SummaryTable.render(Fixture.summary())
    #expect(text.contains("Service time (from send"))
    #expect(text.contains("median 1.80  p95 5.00  p99 8.00"))
    #expect(text.contains("intended start"))
}

@Test func failuresAreListedMostFrequentFirst() throws {
    let text = SummaryTable.render(Fixture.summary())
    let first = try #require(text.range(of: "HTTP 500"))
    let second = try #require(text.range(of: "timeout, after 5 s"))
    #expect(first.lowerBound < second.lowerBound)
    #expect(text.contains("Occurrences"))
}

@Test func thresholdsShowMarkAndWord() {
    let text = SummaryTable.render(Fixture.summary())
    #expect(text.contains("✓ PASS  p95 < 150ms"))
    #expect(text.contains("✗ FAIL  failure_rate < 0.001"))
    #expect(text.contains("GET /"))
    #expect(text.contains("0.005"))
}

@Test func generatorBoundRunCarriesTheWarning() {
    let warning = "generator may be the bottleneck: engine threads above 90% CPU for 14 s — add threads or nodes"
    #expect(SummaryTable.render(Fixture.summary(generatorBound: true)).contains(warning))
    #expect(!SummaryTable.render(Fixture.summary(generatorBound: false)).contains("bottleneck"))
}

@Test func abortReasonIsShown() {
    let text = SummaryTable.render(Fixture.summary(abortReason: "target unreachable"))
    #expect(text.contains("ABORTED: target unreachable"))
}

@Test(arguments: [(true, "PASSED"), (false, "FAILED")])
func lastLineIsTheVerdict(passed: Bool, verdict: String) {
    let lines = SummaryTable.render(Fixture.summary(passed: passed)).split(separator: "\n")
    #expect(lines.last.map(String.init) == verdict)
}

@Test func emptyRunRendersWithoutFailuresOrThresholdSections() {
    let empty = RunSummary(
        run: nil, scenario: "s", host: "h", startedAt: 0, durationS: 0, users: 0, endpoints: [],
        total: EndpointSummary(method: "", name: ""), failuresByReason: [], history: [], thresholds: [],
        generator: GeneratorLoad(peakCpu: 0, saturatedSeconds: 0, possiblyGeneratorBound: false, threads: 1),
        abortReason: nil, passed: true)
    let text = SummaryTable.render(empty)
    #expect(text.contains("Aggregated"))
    #expect(!text.contains("Occurrences"))
    #expect(!text.contains("Thresholds"))
    #expect(text.hasSuffix("PASSED\n"))
}
