import Engine
import Federation
import Foundation
import Protocol

extension NodeRole: Codable {}

/// Which run a starting daemon carries on, and why the others it finds still `running` are closed
/// `interrupted` instead. A run is carried on when its resume record (`ResumeRecord`) was written
/// within `resume_within:` of now, by a node of the same role, and says it can be; one run at most
/// (a node runs one at a time): the newest.
enum RunResumption {
    /// `resume_within:` by default: a `systemctl restart`, an upgrade or a crash with
    /// `Restart=on-failure` comes back well within it; a node down for longer has been away too
    /// long for its run to mean what it was started for.
    static let defaultWithin: Duration = .seconds(60)
    /// 0 turns resuming off; past an hour a run's numbers no longer describe one test.
    static let withinRange: ClosedRange<Duration> = .zero ... .seconds(3600)

    /// `60s`, `1500ms`: as a config file writes it.
    static func describe(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        if attoseconds == 0 { return "\(seconds)s" }
        return "\(seconds * 1000 + attoseconds / 1_000_000_000_000_000)ms"
    }

    struct Decision {
        var resume: (id: RunID, record: ResumeRecord)?
        /// Why each other running run was not resumed, for its `interrupted` reason.
        var reasons: [RunID: String] = [:]
    }

    static func decide(store: RunStore, within: Duration, role: NodeRole, now: Double) -> Decision {
        var decision = Decision()
        let ended = "loadd ended while the run was going (killed, crashed or restarted)"
        let withinS = Double(within.components.seconds) + Double(within.components.attoseconds) / 1e18
        for id in store.runIDs() {
            guard let info = store.info(id), info.state == .running || info.state == .stopping else { continue }
            guard within > .zero else {
                decision.reasons[id] = "\(ended); not resumed: resume_within: is 0"
                continue
            }
            guard info.state == .running else {
                decision.reasons[id] = "\(ended) while it was stopping"
                continue
            }
            let record: ResumeRecord
            switch store.readResumeRecord(id) {
            case .failure(let damage):
                decision.reasons[id] = "\(ended); not resumed: \(damage)"
                continue
            case .success(let read):
                record = read
            }
            let away = max(0, now - record.savedAt)
            if let refusal = record.refusal {
                decision.reasons[id] = "\(ended); not resumed: \(refusal)"
            } else if record.version != ResumeRecord.currentVersion {
                decision.reasons[id] = "\(ended); not resumed: its resume record is version \(record.version)"
            } else if record.role != role {
                decision.reasons[id] =
                    "\(ended); not resumed: it ran on a \(record.role.rawValue), this node is a \(role.rawValue)"
            } else if away > withinS {
                decision.reasons[id] =
                    "\(ended); not resumed: loadd was away \(Int(away.rounded())) s, "
                    + "longer than resume_within: \(describe(within))"
            } else if record.checkpoint == nil {
                decision.reasons[id] = "\(ended); not resumed: its resume record holds no statistics yet"
            } else if let problem = record.checkpoint?.problem {
                decision.reasons[id] = "\(ended); not resumed: \(problem)"
            } else if let problem = record.fleet?.problem {
                decision.reasons[id] = "\(ended); not resumed: \(problem)"
            } else if let other = decision.resume, other.record.savedAt >= record.savedAt {
                decision.reasons[id] = "\(ended); not resumed: run \(other.id) was resumed instead"
            } else {
                if let other = decision.resume {
                    decision.reasons[other.id] = "\(ended); not resumed: run \(id) was resumed instead"
                }
                decision.resume = (id, record)
            }
        }
        return decision
    }
}
