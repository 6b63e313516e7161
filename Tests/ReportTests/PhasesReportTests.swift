import Foundation
import Protocol
import Testing

@testable import Report

/// The timing phases in the JSON summary and as stacked bars in the HTML report.
@Suite struct PhasesReportTests {
    static func phases(ttfb: Double, tls: Double) -> PhaseSummary {
        PhaseSummary(
            dns: PhaseFigures(meanMs: 0.01, p95Ms: 0, nonzero: 3),
            connect: PhaseFigures(meanMs: 0.02, p95Ms: 0, nonzero: 3),
            tls: PhaseFigures(meanMs: tls, p95Ms: 0, nonzero: 3),
            ttfb: PhaseFigures(meanMs: ttfb, p95Ms: ttfb * 2, nonzero: 600),
            transfer: PhaseFigures(meanMs: 0.3, p95Ms: 0.9, nonzero: 590),
            requests: 600, bytesSent: 90_000, bytesReceived: 1_000_000)
    }

    static func summary() -> RunSummary {
        var summary = Fixture.summary()
        for index in summary.endpoints.indices where summary.endpoints[index].requests > 0 {
            summary.endpoints[index].phases = phases(ttfb: Double(index + 1) * 10, tls: 1.5)
        }
        summary.total.phases = phases(ttfb: 15, tls: 1.5)
        return summary
    }

    @Test func theJSONSummaryCarriesEachPhasesMeanAndP95AndTheBytes() throws {
        let text = SummaryJSON.encode(Self.summary())
        for key in [
            "\"phases\"", "\"dns\"", "\"connect\"", "\"tls\"", "\"ttfb\"", "\"transfer\"", "\"mean_ms\"",
            "\"p95_ms\"", "\"nonzero\"", "\"bytes_sent\" : 90000", "\"bytes_received\" : 1000000",
        ] {
            #expect(text.contains(key), "\(key) in the JSON")
        }
        let back = try SummaryJSON.decode(text)
        #expect(back.total.phases == Self.phases(ttfb: 15, tls: 1.5))
        #expect(back.endpoints.compactMap(\.phases).count == 2)
        // A summary stored before phases existed still reads, without them.
        #expect(try SummaryJSON.decode(SummaryJSON.encode(Fixture.summary())).total.phases == nil)
    }

    @Test func theHTMLReportHasAStackedBarPerEndpointAndForAllTogether() {
        let html = HTMLReport.render(Self.summary())
        #expect(html.contains("<section id=\"phases\">"))
        let bars = html.components(separatedBy: "<svg class=\"phase-bar\"").count - 1
        #expect(bars == 3, "two endpoints with phases and the Aggregated row")
        for phase in ["dns", "connect", "tls", "ttfb", "transfer"] {
            #expect(
                html.components(separatedBy: "<rect class=\"phase \(phase)\"").count - 1 == 3, "\(phase) in every bar")
        }
        #expect(html.contains("data-endpoint=\"GET /\""))
        #expect(html.contains("data-endpoint=\"POST /post/[id]\""))
        #expect(html.contains("data-endpoint=\"Aggregated\""))
        // Segments are drawn in order, scaled to the longest bar (31.83 ms = 600 units): the waiting
        // segment of `GET /` starts after its DNS, connect and TLS (1.53 ms).
        #expect(html.contains("<rect class=\"phase ttfb\" data-mean-ms=\"30.000\" x=\"28.84\""))
        #expect(html.contains("<td class=\"num\">3 of 600</td>"))
    }

    @Test func aSummaryWithoutPhasesHasNoPhasesSection() {
        #expect(!HTMLReport.render(Fixture.summary()).contains("id=\"phases\""))
    }
}
