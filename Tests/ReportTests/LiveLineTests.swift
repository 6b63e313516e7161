import Foundation
import Protocol
import Report
import Testing

@Test func liveLineShowsRateFailuresPercentilesAndCount() {
    var total = Fixture.endpoint("", "", requests: 812_340, failures: 0, median: 1.2)
    total.p95Ms = 3.4; total.p99Ms = 8.1; total.maxMs = 40
    let line = LiveLine.render(
        elapsed: 12.7, users: 200, targetUsers: 200, total: total,
        currentRps: 81_234.4, failuresPerS: 0)
    #expect(line.hasPrefix("   12s  users   200/200  rps   81234  fails      0 (  0.00%)"))
    #expect(line.contains("p50 1.20ms  p95 3.40ms  p99 8.10ms  max 40.0ms"))
    #expect(line.hasSuffix("reqs 812340"))
}

@Test func liveLineKeepsItsWidthAsNumbersChange() {
    var early = Fixture.endpoint("", "", requests: 10, failures: 1, median: 0.5)
    early.maxMs = 3
    var late = Fixture.endpoint("", "", requests: 99_999, failures: 20, median: 50)
    late.maxMs = 300
    let a = LiveLine.render(elapsed: 1, users: 5, total: early, currentRps: 5, failuresPerS: 0.5)
    let b = LiveLine.render(elapsed: 90, users: 200, total: late, currentRps: 9000, failuresPerS: 2)
    #expect(a.range(of: "reqs")?.lowerBound.utf16Offset(in: a) == b.range(of: "reqs")?.lowerBound.utf16Offset(in: b))
}

@Test(arguments: [
    (1.234, "1.23ms"), (12.34, "12.3ms"), (123.4, "123ms"), (9_999, "9999ms"), (12_345, "12.3s"),
    (150_000, "150s"),
])
func liveLatencyPrecisionAdaptsToMagnitude(ms: Double, shown: String) {
    var total = EndpointSummary(method: "", name: "")
    total.maxMs = ms
    let line = LiveLine.render(elapsed: 0, users: 0, total: total, currentRps: 0, failuresPerS: 0)
    #expect(line.contains("max " + String(repeating: " ", count: max(0, 6 - shown.count)) + shown))
}
