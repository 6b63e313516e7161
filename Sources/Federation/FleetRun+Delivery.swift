import Engine
import Protocol

/// Whether each worker delivers its share. A worker that heartbeats but generates little or no load
/// would otherwise keep its share and the run would pass with that part missing. A share is
/// **short** when, past a settling time after it started or changed:
/// - closed model: the worker's reported users are under half of what it should have by now (its
///   users before the change, ramping at its spawn rate, up to its share);
/// - open model: none of its stats brought a request while its rate should have started five.
/// Staged runs are not judged: a worker's part of a stage may rightly be 0 users.
/// A short share is flagged (a fleet event, and `loadctl workers`); still short after the grace
/// period, it is stopped and re-split to the others as if the worker were lost, and the worker is
/// benched: kept out of splits until it reconnects.
extension FleetRun {
    public static let defaultDeliveryGrace: Duration = .seconds(10)
    /// Time after a share starts or changes before it is judged: its first reports take ~2 s.
    static let deliverySettle: Duration = .seconds(3)

    /// Merges a report after checking it (see `absorb`). Returns why the worker's link should be
    /// closed instead: an interval for a second that has not come yet, or sums past the budget.
    public mutating func admit(_ report: StatsReport, now: Duration) -> String? {
        admit(report, sums: StatsBudget.Sums(report), now: now)
    }

    /// `admit` with the report's sums taken beforehand (outside the master's lock), and its rows'
    /// histograms in `histograms` when the master read them packed (`PackedStatsReport`).
    mutating func admit(
        _ report: StatsReport, histograms: [PackedHistograms]? = nil, sums: StatsBudget.Sums?, now: Duration
    ) -> String? {
        guard phase != .finished, report.run == id else { return nil }
        let latest = second(at: now) + closeLag + 3
        if let future = report.intervals.first(where: { $0.second > latest }) {
            return "stats.second: \(future.second) is in the future (the run is at second \(second(at: now)))"
        }
        var budget = self.budget
        if let problem = budget.admit(sums) { return "stats: \(problem)" }
        guard absorb(report, histograms: histograms) else { return nil }
        self.budget = budget
        noteMerged(report, now: now)
        if shares[report.node]?.assignment == report.assignment,
            report.intervals.contains(where: { $0.endpoints.contains { $0.requests > 0 } })
        {
            shares[report.node]?.lastRequestsAt = now
        }
        return nil
    }

    /// How `share` falls short now, or `nil` when it delivers (or cannot be judged).
    func shortfall(of share: Share, now: Duration) -> String? {
        guard !followsStages, now - share.partSince >= Self.deliverySettle else { return nil }
        let judged = now - share.partSince - Self.deliverySettle
        if let rate = share.part.rate {
            // Stats come every second and a report's requests completed up to a second before it.
            let quietSince = max(share.partSince + Self.deliverySettle, share.lastRequestsAt ?? .zero)
            let expected = rate * Self.seconds(now - quietSince - .seconds(2))
            guard expected >= 5 else { return nil }
            return "no requests for \(now - quietSince) at \(Self.format(rate)) iterations/s"
        }
        let ramped = Int(wholePartOf: Self.seconds(judged) * share.part.spawnRate)
        let expected = min(share.part.users, share.usersBefore.saturatingAdd(max(1, ramped)))
        let reported = share.reportedUsers ?? 0
        guard expected > 0, reported.saturatingAdd(reported) < expected else { return nil }
        return "reports \(reported) users where \(expected) of its \(share.part.users) are due"
    }

    /// Flags shares that became short, clears those that recovered, and re-splits those short for
    /// the whole grace period (a `stop` to the worker, the rest as for a lost worker).
    mutating func checkDelivery(now: Duration) -> [Outgoing] {
        guard phase == .running, let deliveryGrace else { return [] }
        var out: [Outgoing] = []
        // A loop, not `compactMapValues`: a closure calling `shortfall` captures a copy of the whole
        // run, and this runs four times a second over every share.
        var problems: [NodeID: String] = [:]
        var going = 0
        for (node, share) in shares where !share.ended {
            going += 1
            if let problem = shortfall(of: share, now: now) { problems[node] = problem }
        }
        // Every worker short at once points at the target or the scenario, not at the workers:
        // they are flagged, but nobody's load can move to a worker that delivers.
        let canMove = problems.count < going
        // Only shares short now or flagged before need a look (a tick with 1,000 good ones sorts nothing).
        let flagged = shares.compactMap { $0.value.shortSince == nil ? nil : $0.key }
        for node in Set(problems.keys).union(flagged).sorted(by: { $0.rawValue < $1.rawValue }) {
            guard var share = shares[node], !share.ended else { continue }
            guard let problem = problems[node] else {
                if share.shortSince != nil {
                    share.shortSince = nil
                    share.shortfall = nil
                    shares[node] = share
                    record("worker \(node) delivers its share again", now: now)
                }
                continue
            }
            share.shortfall = problem
            guard let since = share.shortSince else {
                share.shortSince = now
                shares[node] = share
                record(
                    "worker \(node) is short of its share: \(problem); its load moves to the others in "
                        + "\(deliveryGrace) unless it recovers", now: now)
                continue
            }
            shares[node] = share
            guard canMove, now - since >= deliveryGrace else { continue }
            let reason = "short of its share for \(deliveryGrace): \(problem)"
            benched[node] = reason
            out.append(Outgoing(node: node, message: .stop(StopRequest(run: id))))
            out += lose(node, reason: reason, now: now)
        }
        return out
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
