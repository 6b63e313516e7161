import Foundation
import NIOCore
import Protocol

/// What one benchmark measured, and the compact table and verdict it prints.
struct BenchResults: Sendable {
    let options: Options
    let reportBytes: Int
    var run: RunID?
    var joinTime: TimeAmount = .zero
    /// Master CPU seconds spent admitting every fake (handshakes, HMACs, welcomes).
    var joinCPU: Double?
    var afterJoin: ProcessSample?
    /// Until the master listed no worker once every fake closed its connection, and the master's CPU
    /// seconds from the first close to 0.6 s after that (its re-split included).
    var leaveTime: TimeAmount?
    var leaveCPU: Double?
    /// Master samples at the edges of the quiet window and at the end of the probed one.
    var quietStart: ProcessSample?
    var quietEnd: ProcessSample?
    var probedEnd: ProcessSample?
    var reportsSent = 0
    var delays: DelaySampler.Samples?
    var finalTotal: UInt64?
    var expectedTotal: UInt64 = 0
    var problems: [String] = []

    /// The master's share of one core while only the workers' stream reached it: the verdict's figure.
    var cpuPercent: Double? {
        guard let start = quietStart, let end = quietEnd else { return nil }
        return end.cpuPercent(since: start)
    }

    /// Why the figures cannot be trusted, if they cannot: a fake lost, a merge missing or wrong.
    var invalidity: String? {
        if let problem = problems.first { return "\(problems.count) problem(s), first: \(problem)" }
        if reportsSent != options.workers * options.seconds {
            return "\(reportsSent) reports sent of \(options.workers * options.seconds)"
        }
        if let missed = delays?.missed, !missed.isEmpty { return "seconds \(missed) never showed in the merged view" }
        if let error = delays?.errors.first { return "status probe failed: \(error)" }
        if let finalTotal, finalTotal != expectedTotal {
            return "the master merged \(finalTotal) requests, the fakes sent \(expectedTotal)"
        }
        return nil
    }

    func render() -> String {
        let o = options
        let (quiet, probed) = Bench.windows(seconds: o.seconds)
        var lines = [
            "FleetBench: \(o.workers) fake workers × \(o.endpoints) endpoints → master \(o.masterHost):\(o.masterPort)"
                + (o.masterPID.map { " (pid \($0))" } ?? "") + ", run \(run?.rawValue ?? "?"), \(o.seconds) s of stats"
        ]
        func row(_ name: String, _ value: String) {
            lines.append("  " + name.padding(toLength: 30, withPad: " ", startingAt: 0) + value)
        }
        row(
            "join",
            "\(o.workers) handshakes in \(Bench.ms(joinTime)) ms"
                + (joinCPU.map { ", master CPU \(Int(($0 * 1000).rounded())) ms" } ?? ""))
        let rate = Double(o.workers * reportBytes) / 1_048_576
        row(
            "stats stream",
            "\(reportsSent) reports, \(o.workers)/s, \(reportBytes / 1024) KiB each = "
                + String(format: "%.1f MiB/s", rate) + ", \(o.workers * o.endpoints * o.requests) requests/s")
        if let start = quietStart, let end = quietEnd {
            row("master CPU, stream only", Self.cpu(start, end) + " (\(quiet.count) s, no status polls)")
        }
        if let start = quietEnd, let end = probedEnd {
            row("master CPU, stream + polls", Self.cpu(start, end) + " (\(probed.count) s, delay sampled)")
        }
        if let end = probedEnd {
            row(
                "master memory",
                "VmRSS \(Self.mib(end.rssKiB)), VmHWM \(Self.mib(end.peakKiB))"
                    + (afterJoin.map { " (after join: VmRSS \(Self.mib($0.rssKiB)))" } ?? ""))
        }
        if let delays, !delays.delays.isEmpty {
            let sorted = delays.delays.sorted()
            func at(_ percent: Int) -> String { Bench.ms(sorted[(sorted.count - 1) * percent / 100]) }
            row(
                "delta → merged view",
                "p50 \(at(50)) ms, p90 \(at(90)) ms, max \(at(100)) ms "
                    + "(\(sorted.count) seconds, poll every \(o.pollMs) ms)")
            let times = delays.pollTimes.sorted()
            row(
                "GET /v1/status",
                "\(delays.polls) polls, p50 \(Bench.ms(times[(times.count - 1) / 2])) ms, "
                    + "max \(Bench.ms(times[times.count - 1])) ms to answer")
        }
        if let leaveTime {
            row(
                "leave",
                "\(o.workers) workers gone in \(Bench.ms(leaveTime)) ms"
                    + (leaveCPU.map { ", master CPU \(Int(($0 * 1000).rounded())) ms" } ?? ""))
        }
        if let finalTotal { row("merged total", "\(finalTotal) requests (sent \(expectedTotal))") }
        lines.append(verdict)
        return lines.joined(separator: "\n")
    }

    var verdict: String {
        if let invalidity { return "VERDICT: INVALID — \(invalidity)" }
        guard let cpu = cpuPercent else { return "VERDICT: n/a — no --master-pid, no CPU figure" }
        let figure = String(format: "%.1f %%", cpu)
        let bound = String(format: "%g %%", options.targetCPU)
        return cpu <= options.targetCPU
            ? "VERDICT: PASS — \(options.workers) workers cost the master \(figure) of one core (target ≤ \(bound))"
            : "VERDICT: FAIL — \(options.workers) workers cost the master \(figure) of one core (target ≤ \(bound))"
                + (saturated ? "; it is saturated, so the need is higher still" : "")
    }

    /// Near a whole core the master is saturated: reports queue, the merged view lags, and the
    /// share measured is a floor of what the stream would need.
    var saturated: Bool { (cpuPercent ?? 0) >= 90 }

    var passed: Bool { invalidity == nil && (cpuPercent.map { $0 <= options.targetCPU } ?? true) }

    private static func cpu(_ start: ProcessSample, _ end: ProcessSample) -> String {
        String(
            format: "%.1f %% of one core, threads waited for a CPU %.0f %%", end.cpuPercent(since: start),
            end.waitPercent(since: start))
    }

    private static func mib(_ kib: Int) -> String { String(format: "%.1f MiB", Double(kib) / 1024) }
}
