import NIOCore
import Protocol

extension BinaryFrame {
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
