/// The binary frames' integers and strings read straight from a payload's bytes. A stats frame is
/// mostly varints (two per histogram bucket); reading them through `ByteBuffer` one byte at a time
/// cost a master more than merging them. Public and inlinable: a master's aggregator (`Engine`)
/// reads a second's held histograms with it when the second closes (`PackedHistograms`).
public enum BinaryVarint {
    /// One varint, or why there is none at `at`.
    public enum Read {
        case value(UInt64)
        case truncated
        case overflow

        /// The problem a `BinaryFrameError` states (`value` has none).
        public var problem: String {
            switch self {
            case .value: ""
            case .truncated: "truncated"
            case .overflow: "varint overflows 64 bits"
            }
        }
    }

    /// The unsigned LEB128 varint at `at`, moving `at` past it.
    @inlinable @inline(__always)
    public static func read(_ bytes: UnsafeRawBufferPointer, at: inout Int) -> Read {
        // Most are one byte (a bucket's count, the delta to the next bucket): no loop for those.
        if at < bytes.count, bytes[at] < 0x80 {
            at += 1
            return .value(UInt64(bytes[at - 1]))
        }
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while at < bytes.count {
            let byte = bytes[at]
            at += 1
            // The tenth byte may only carry the top bit of a 64-bit value.
            guard shift < 63 || byte <= 1 else { return .overflow }
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return .value(value) }
            shift += 7
        }
        return .truncated
    }

    /// `bytes` as a string, `nil` when they are not UTF-8. ASCII (every endpoint name of a typical
    /// scenario) skips the general validation.
    public static func text(_ bytes: UnsafeRawBufferPointer) -> String? {
        var ascii = true
        for byte in bytes where byte >= 0x80 {
            ascii = false
            break
        }
        return ascii ? String(decoding: bytes, as: UTF8.self) : String(validating: bytes, as: UTF8.self)
    }
}
