import NIOCore
import Protocol

/// An endpoint row's timing phases in the binary `stats` frame, after its lag histogram:
///
///     phases = 0                                         (none measured)
///            | 1 phase(dns) phase(connect) phase(tls) phase(ttfb) phase(transfer) bytes_sent bytes_received
///     phase  = sum_us histogram(bucket index → count)
///
/// A phase histogram's values are `PhaseBuckets` indices (0…239), delta-coded like the latency ones;
/// `checkRanges` refuses an index, count or sum out of range by its field name
/// (`stats.phases.tls.buckets value: must be 0…239, got 500`).
extension BinaryFrame {
    static func write(_ phases: EndpointPhases?, into out: inout ByteBuffer) {
        guard let phases else { return out.writeVarint(0) }
        out.writeVarint(1)
        for phase in TimingPhase.allCases {
            out.writeVarint(phases[phase].sumMicros)
            write(phases[phase].buckets, into: &out)
        }
        out.writeVarint(phases.bytesSent)
        out.writeVarint(phases.bytesReceived)
    }
}

extension BinaryFrame.Reader {
    /// Field names made once: a master reads these for every endpoint row of every worker each second.
    private static let sumFields = TimingPhase.allCases.map { "phases.\($0.key).sum_us" }
    private static let bucketFields = TimingPhase.allCases.map { "phases.\($0.key).buckets" }

    mutating func phases() throws(BinaryFrameError) -> EndpointPhases? {
        switch try varint("phases") {
        case 0: return nil
        case 1: break
        case let tag: throw BinaryFrameError(field: "phases", problem: "unknown presence tag \(tag)")
        }
        var phases = EndpointPhases()
        for phase in TimingPhase.allCases {
            let sum = try varint(Self.sumFields[phase.rawValue])
            phases[phase] = PhaseSample(sumMicros: sum, buckets: try histogram(Self.bucketFields[phase.rawValue]))
        }
        phases.bytesSent = try varint("phases.bytes_sent")
        phases.bytesReceived = try varint("phases.bytes_received")
        return phases
    }
}
