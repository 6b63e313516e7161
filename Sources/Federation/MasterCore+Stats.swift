import Engine
import Protocol

/// A worker's `stats` reports, merged into the run.
extension MasterCore {
    /// A report read with its histograms packed (`MasterFrameDecoder`). From a connection that is
    /// not a member yet it goes the way of any other message (the handshake refuses it).
    mutating func received(_ packed: PackedStatsReport, on link: Link) {
        guard case .member(let node) = links[ObjectIdentifier(link)]?.state else {
            return received(.stats(packed.unpacked), sums: packed.sums, on: link)
        }
        membership.heard(from: node, now: now)
        statsReceived(packed.report, histograms: packed.histograms, sums: packed.sums, from: node, on: link)
    }

    /// Merges a member's report (its rows' histograms in `histograms` when packed), or closes its
    /// connection when the report names another node or the run refuses it.
    mutating func statsReceived(
        _ report: StatsReport, histograms: [PackedHistograms]?, sums: StatsBudget.Sums?, from node: NodeID,
        on link: Link
    ) {
        guard report.node == node else {
            return dropMember(node, link, reason: "stats report names node \(report.node), not \(node)")
        }
        let now = self.now
        var refusal: String?
        update { run in
            // nil sums: they overflowed, refused.
            refusal = run.admit(report, histograms: histograms, sums: sums, now: now)
            return []
        }
        if let refusal { return dropMember(node, link, reason: refusal) }
        noteForAck(run: report.run, assignment: report.assignment, sequence: report.sequence, from: node, on: link)
        membership.recordCPU(report, from: node)
    }
}
