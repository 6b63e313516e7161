import NIOCore
import Protocol

/// The `stats` frame, both ways (its layout: `BinaryFrame`). Most of a master's frames are these:
/// one per worker and second, 20 endpoint rows of three histograms each in a typical scenario.
extension BinaryFrame {
    static func write(_ report: StatsReport, into out: inout ByteBuffer) {
        out.writeInteger(Marker.stats.rawValue)
        out.writePrefixedString(report.node.rawValue)
        out.writePrefixedString(report.run.rawValue)
        out.writeVarint(report.assignment)
        out.writeVarint(report.sequence)
        out.writeVarint(UInt64(report.intervals.count))
        for interval in report.intervals {
            out.writeVarint(zigzag(interval.second))
            out.writeVarint(zigzag(interval.users))
            out.writeVarint(interval.dropped)
            out.writeVarint(interval.cpuMicros)
            out.writeVarint(interval.wallMicros)
            out.writeVarint(zigzag(interval.threads))
            out.writeVarint(UInt64(interval.endpoints.count))
            for endpoint in interval.endpoints {
                out.writePrefixedString(endpoint.key.method)
                out.writePrefixedString(endpoint.key.name)
                out.writeVarint(endpoint.requests)
                out.writeVarint(endpoint.failures)
                out.writeVarint(endpoint.bytes)
                write(endpoint.latency, into: &out)
                write(endpoint.serviceTime, into: &out)
                out.writeVarint(UInt64(endpoint.failureReasons.count))
                for tally in endpoint.failureReasons {
                    // Typed since protocol 4: a kind byte, a number, a text only for `tlsDetail`.
                    let reason = tally.reason.wireForm
                    out.writeInteger(reason.kind)
                    out.writeVarint(reason.number)
                    out.writeOptionalString(reason.text)
                    out.writeVarint(tally.count)
                }
                write(endpoint.lag ?? SparseHistogram(), into: &out)
                write(endpoint.phases, into: &out)
            }
            out.writeVarint(interval.skipped ?? 0)
            let checks = interval.checks ?? []
            out.writeVarint(UInt64(checks.count))
            for tally in checks {
                out.writePrefixedString(tally.method)
                out.writePrefixedString(tally.name)
                out.writePrefixedString(tally.check)
                out.writeVarint(tally.passes)
                out.writeVarint(tally.fails)
            }
            out.writeVarint(interval.newConnections ?? 0)
        }
    }

    /// Reads a stats payload after its marker; each row's latency, service-time and lag histograms
    /// go through `histograms` (decoded, or kept as bytes on a master).
    static func readReport<Histograms: StatsHistograms>(
        _ reader: inout Reader, histograms: inout Histograms
    ) throws(BinaryFrameError) -> StatsReport {
        let node = NodeID(rawValue: try reader.string("node"))
        let run = RunID(rawValue: try reader.string("run"))
        let assignment = try reader.varint("assignment")
        let sequence = try reader.varint("sequence")
        var intervals: [IntervalStats] = []
        for _ in 0..<(try reader.count("intervals")) {
            let second = try reader.int("second")
            let users = try reader.int("users")
            let dropped = try reader.varint("dropped")
            let cpu = try reader.varint("cpu_micros")
            let wall = try reader.varint("wall_micros")
            let threads = try reader.int("threads")
            var endpoints: [EndpointInterval] = []
            let endpointCount = try reader.count("endpoints")
            endpoints.reserveCapacity(endpointCount)
            for _ in 0..<endpointCount {
                let key = EndpointKey(method: try reader.string("method"), name: try reader.string("name"))
                let requests = try reader.varint("requests")
                let failures = try reader.varint("failures")
                let bytes = try reader.varint("bytes")
                let latency = try histograms.read("latency", counted: true, from: &reader)
                let service = try histograms.read("service_time", counted: true, from: &reader)
                var reasons: [ReasonTally] = []
                for _ in 0..<(try reader.count("failure_reasons")) {
                    let form = FailureReason.WireForm(
                        kind: try reader.byte("reason"), number: try reader.varint("reason"),
                        text: try reader.optionalString("reason"))
                    let reason: FailureReason
                    do {
                        reason = try FailureReason(form)
                    } catch {
                        throw BinaryFrameError(field: "reason", problem: error.description)
                    }
                    reasons.append(ReasonTally(reason: reason, count: try reader.varint("count")))
                }
                var row = EndpointInterval(
                    key: key, requests: requests, failures: failures, bytes: bytes,
                    latency: latency, serviceTime: service, failureReasons: reasons)
                let lag = try histograms.read("lag", counted: false, from: &reader)
                row.lag = lag.isEmpty ? nil : lag
                row.phases = try reader.phases()
                endpoints.append(row)
            }
            var interval = IntervalStats(
                second: second, users: users, dropped: dropped, cpuMicros: cpu,
                wallMicros: wall, threads: threads, endpoints: endpoints)
            let skipped = try reader.varint("skipped")
            interval.skipped = skipped == 0 ? nil : skipped
            var checks: [CheckTally] = []
            for _ in 0..<(try reader.count("checks")) {
                checks.append(
                    CheckTally(
                        method: try reader.string("checks.method"), name: try reader.string("checks.name"),
                        check: try reader.string("checks.check"), passes: try reader.varint("checks.passes"),
                        fails: try reader.varint("checks.fails")))
            }
            interval.checks = checks.isEmpty ? nil : checks
            let connections = try reader.varint("new_connections")
            interval.newConnections = connections == 0 ? nil : connections
            histograms.intervalEnded()
            intervals.append(interval)
        }
        return StatsReport(node: node, run: run, assignment: assignment, sequence: sequence, intervals: intervals)
    }

    static func write(_ histogram: SparseHistogram, into out: inout ByteBuffer) {
        out.writeVarint(UInt64(histogram.values.count))
        var previous: UInt64 = 0
        for i in histogram.values.indices {
            out.writeVarint(histogram.values[i] &- previous)
            out.writeVarint(histogram.counts[i])
            previous = histogram.values[i]
        }
    }
}

/// What reading a stats frame does with each row's latency, service-time and lag histograms:
/// decodes them (`DecodedHistograms`), or checks them and keeps their bytes (`PackedStatsReader`).
protocol StatsHistograms {
    /// Reads the histogram at the reader for `field`; `counted` when its counts join the report's
    /// sums (`StatsBudget.Sums`: latency and service time, not lag).
    mutating func read(
        _ field: String, counted: Bool, from reader: inout BinaryFrame.Reader
    ) throws(BinaryFrameError) -> SparseHistogram
    /// An interval has been read.
    mutating func intervalEnded()
}

/// Histograms decoded into the report's rows: every reader but a master's.
struct DecodedHistograms: StatsHistograms {
    func read(
        _ field: String, counted: Bool, from reader: inout BinaryFrame.Reader
    ) throws(BinaryFrameError) -> SparseHistogram {
        try reader.histogram(field)
    }

    func intervalEnded() {}
}
