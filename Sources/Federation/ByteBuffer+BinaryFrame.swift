import NIOCore

/// The write side of `BinaryFrame`'s integers and strings.
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
