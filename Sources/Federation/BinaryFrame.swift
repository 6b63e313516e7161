import NIOCore
import Protocol

/// The frames every worker sends every second, in binary: `stats`, `worker_state` and `heartbeat`.
/// A master reads 200 workers' worth of them a second, and in JSON that decoding was two fifths of
/// its CPU (Foundation's decoder walks every key through generic containers). Every other kind
/// stays JSON: rare, small, and readable in a packet capture.
///
/// The first payload byte says which (a JSON payload starts with `{`). After it every integer is
/// an unsigned LEB128 varint (`Int` fields zigzag-encoded), every string a varint byte length and
/// UTF-8 bytes, an optional string a varint of length + 1 (0 for none), every list a varint count
/// and its elements, a `Double` its 8 IEEE-754 bytes, big-endian:
///
///     stats        = 0x00 node run assignment sequence [interval]
///     interval     = second users dropped cpu_micros wall_micros threads [endpoint] skipped [check] new_connections
///     endpoint     = method name requests failures bytes histogram(latency) histogram(service_time)
///                    [reason count] histogram(lag) phases   (phases: BinaryFrame+Phases.swift)
///     check        = method name check passes fails   (a row of the checks table)
///     histogram    = [value_delta count]        (values ascend: each is a delta from the previous)
///     heartbeat    = 0x01
///     worker_state = 0x02 run? activity(0 idle, 1 running, 2 stopping) users rps abort_reason?
enum BinaryFrame {
    enum Marker: UInt8 {
        case stats = 0, heartbeat = 1, workerState = 2
    }

    /// A payload in binary: its first byte is a marker, never `{`.
    static func isBinary(_ payload: ByteBuffer) -> Bool {
        payload.getInteger(at: payload.readerIndex, as: UInt8.self).map { Marker(rawValue: $0) != nil } ?? false
    }

    /// The binary form of `message`, or false when its kind travels as JSON.
    static func write(_ message: FederationMessage, into out: inout ByteBuffer) -> Bool {
        switch message {
        case .stats(let report):
            write(report, into: &out)
        case .heartbeat:
            out.writeInteger(Marker.heartbeat.rawValue)
        case .workerState(let state):
            out.writeInteger(Marker.workerState.rawValue)
            out.writeOptionalString(state.run?.rawValue)
            out.writeInteger(activityCode(state.activity))
            out.writeVarint(zigzag(state.users))
            out.writeInteger(state.rps.bitPattern)
            out.writeOptionalString(state.abortReason)
        default:
            return false
        }
        return true
    }

    /// Reads a whole binary payload; anything short, malformed or left over is an error naming the field.
    static func read(_ payload: inout ByteBuffer) throws(BinaryFrameError) -> FederationMessage {
        var reader = Reader(buffer: payload)
        let message: FederationMessage
        switch Marker(rawValue: try reader.byte("marker")) {
        case .stats: message = .stats(try readReport(&reader))
        case .heartbeat: message = .heartbeat
        case .workerState:
            let run = try reader.optionalString("run").map(RunID.init(rawValue:))
            let activity = try reader.activity("activity")
            let users = try reader.int("users")
            let rps = try reader.double("rps")
            message = .workerState(
                WorkerReport(
                    run: run, activity: activity, users: users, rps: rps,
                    abortReason: try reader.optionalString("abort_reason")))
        case nil: throw BinaryFrameError(field: "marker", problem: "not a binary frame")
        }
        guard reader.buffer.readableBytes == 0 else {
            throw BinaryFrameError(field: "end", problem: "\(reader.buffer.readableBytes) bytes after the message")
        }
        payload = reader.buffer
        return message
    }

    private static func activityCode(_ activity: WorkerActivity) -> UInt8 {
        switch activity {
        case .idle: 0
        case .running: 1
        case .stopping: 2
        }
    }

    private static func write(_ report: StatsReport, into out: inout ByteBuffer) {
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

    private static func readReport(_ reader: inout Reader) throws(BinaryFrameError) -> StatsReport {
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
                let latency = try reader.histogram("latency")
                let service = try reader.histogram("service_time")
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
                let lag = try reader.histogram("lag")
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

    private static func zigzag(_ value: Int) -> UInt64 {
        UInt64(bitPattern: Int64(value) << 1 ^ Int64(value) >> 63)
    }

    /// The read side, each read naming the field it is for so an error can say where it broke.
    struct Reader {
        var buffer: ByteBuffer

        mutating func byte(_ field: String) throws(BinaryFrameError) -> UInt8 {
            guard let byte = buffer.readInteger(as: UInt8.self) else {
                throw BinaryFrameError(field: field, problem: "truncated")
            }
            return byte
        }

        mutating func varint(_ field: String) throws(BinaryFrameError) -> UInt64 {
            let (value, used) = buffer.withUnsafeReadableBytes { bytes in
                var at = 0
                return (BinaryVarint.read(bytes, at: &at), at)
            }
            guard case .value(let number) = value else { throw BinaryFrameError(field: field, problem: value.problem) }
            buffer.moveReaderIndex(forwardBy: used)
            return number
        }

        mutating func int(_ field: String) throws(BinaryFrameError) -> Int {
            let raw = try varint(field)
            return Int(Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1))
        }

        /// A list's length, refused when the bytes left could not hold that many elements (each
        /// takes at least one), so a hostile count allocates nothing.
        mutating func count(_ field: String) throws(BinaryFrameError) -> Int {
            let count = try varint(field)
            guard count <= UInt64(buffer.readableBytes) else {
                throw BinaryFrameError(
                    field: field, problem: "count \(count) exceeds the \(buffer.readableBytes) bytes left")
            }
            return Int(count)
        }

        mutating func optionalString(_ field: String) throws(BinaryFrameError) -> String? {
            let tag = try varint(field)
            guard tag > 0 else { return nil }
            return try string(field, length: tag - 1)
        }

        mutating func activity(_ field: String) throws(BinaryFrameError) -> WorkerActivity {
            switch try byte(field) {
            case 0: return .idle
            case 1: return .running
            case 2: return .stopping
            case let code: throw BinaryFrameError(field: field, problem: "unknown activity \(code)")
            }
        }

        mutating func double(_ field: String) throws(BinaryFrameError) -> Double {
            guard let bits = buffer.readInteger(as: UInt64.self) else {
                throw BinaryFrameError(field: field, problem: "truncated")
            }
            // A NaN would later make the master's JSON answers unencodable.
            guard Double(bitPattern: bits).isFinite else {
                throw BinaryFrameError(field: field, problem: "not a finite number")
            }
            return Double(bitPattern: bits)
        }

        mutating func string(_ field: String) throws(BinaryFrameError) -> String {
            try string(field, length: try varint(field))
        }

        private mutating func string(_ field: String, length raw: UInt64) throws(BinaryFrameError) -> String {
            guard raw <= UInt64(buffer.readableBytes) else {
                throw BinaryFrameError(
                    field: field, problem: "length \(raw) exceeds the \(buffer.readableBytes) bytes left")
            }
            let length = Int(raw)
            let slice = buffer.readSlice(length: length)!
            guard let text = slice.withUnsafeReadableBytes(BinaryVarint.text) else {
                throw BinaryFrameError(field: field, problem: "not UTF-8")
            }
            return text
        }

        /// Read in one pass over the bytes: a master reads ~100 histogram pairs per endpoint of every
        /// worker each second, and reading them a byte at a time through `ByteBuffer` was most of its
        /// decoding time.
        mutating func histogram(_ field: String) throws(BinaryFrameError) -> SparseHistogram {
            let buckets = try count(field)
            var values: [UInt64] = []
            var counts: [UInt64] = []
            values.reserveCapacity(buckets)
            counts.reserveCapacity(buckets)
            let (problem, used): (String?, Int) = buffer.withUnsafeReadableBytes { bytes in
                var at = 0
                var previous: UInt64 = 0
                for i in 0..<buckets {
                    let read = BinaryVarint.read(bytes, at: &at)
                    guard case .value(let delta) = read else { return (read.problem, at) }
                    let (value, overflow) = previous.addingReportingOverflow(delta)
                    guard !overflow, i == 0 || delta > 0 else { return ("bucket values do not ascend", at) }
                    let count = BinaryVarint.read(bytes, at: &at)
                    guard case .value(let number) = count else { return (count.problem, at) }
                    values.append(value)
                    counts.append(number)
                    previous = value
                }
                return (nil, at)
            }
            if let problem { throw BinaryFrameError(field: field, problem: problem) }
            buffer.moveReaderIndex(forwardBy: used)
            return SparseHistogram(values: values, counts: counts)
        }
    }
}

/// Why a binary frame could not be read, naming the field it broke in.
struct BinaryFrameError: Error, CustomStringConvertible {
    let field: String
    let problem: String

    var description: String { "binary frame, \(field): \(problem)" }
}

extension ByteBuffer {
    mutating func writeVarint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            writeInteger(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        writeInteger(UInt8(rest))
    }

    /// A varint byte length, then the UTF-8 bytes.
    mutating func writePrefixedString(_ text: String) {
        writeVarint(UInt64(text.utf8.count))
        writeString(text)
    }

    /// 0 for none, else a varint of the byte length + 1, then the UTF-8 bytes.
    mutating func writeOptionalString(_ text: String?) {
        guard let text else { return writeVarint(0) }
        writeVarint(UInt64(text.utf8.count) + 1)
        writeString(text)
    }
}
