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
///
/// The stats frame's two sides are in `BinaryFrame+Stats.swift` (a master reads its histograms
/// without decoding them: `BinaryFrame+Packed.swift`), the read primitives in `BinaryFrameReader.swift`,
/// the write ones in `ByteBuffer+BinaryFrame.swift`.
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
        case .stats:
            var histograms = DecodedHistograms()
            message = .stats(try readReport(&reader, histograms: &histograms))
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

    static func zigzag(_ value: Int) -> UInt64 {
        UInt64(bitPattern: Int64(value) << 1 ^ Int64(value) >> 63)
    }
}

/// Why a binary frame could not be read, naming the field it broke in.
struct BinaryFrameError: Error, CustomStringConvertible {
    let field: String
    let problem: String

    var description: String { "binary frame, \(field): \(problem)" }
}
