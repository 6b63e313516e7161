/// Checks the bytes of a scenario before YAML sees them, so invalid UTF-8, a NUL byte or binary junk is
/// reported at its line and column instead of as a position-less decoding failure.
enum ScenarioText {
    /// The first byte YAML cannot take, located.
    struct BadByte: Equatable {
        /// 1-based.
        var line: Int
        /// 1-based, counted in Unicode scalars like libyaml.
        var column: Int
        var message: String
    }

    /// The first invalid UTF-8 sequence or character YAML forbids (controls other than tab, LF and CR,
    /// NUL included; U+FFFE/U+FFFF), or `nil` when the text is fine.
    static func firstBadByte(in bytes: some Collection<UInt8>) -> BadByte? {
        if let found = bytes.withContiguousStorageIfAvailable({ scan($0) }) { return found }
        return Array(bytes).withUnsafeBufferPointer { scan($0) }
    }

    /// ASCII, nearly all of a scenario, is checked a byte at a time; only other bytes go through a decoder.
    private static func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> BadByte? {
        var offset = 0
        var line = 1
        var column = 1
        while offset < bytes.count {
            let byte = bytes[offset]
            let scalar: Unicode.Scalar
            if byte < 0x80 {
                scalar = Unicode.Scalar(byte)
            } else {
                var decoder = UTF8()
                var iterator = bytes[offset...].makeIterator()
                guard case .scalarValue(let decoded) = decoder.decode(&iterator) else {
                    return BadByte(
                        line: line, column: column,
                        message: "invalid UTF-8 at byte offset \(offset); "
                            + "a scenario is UTF-8 text (is this a binary file?)")
                }
                scalar = decoded
            }
            if let problem = forbidden(scalar) {
                return BadByte(
                    line: line, column: column, message: "\(problem) at byte offset \(offset); a scenario is text")
            }
            offset += UTF8.width(scalar)
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return nil
    }

    /// What YAML 1.2's `c-printable` refuses, in words.
    private static func forbidden(_ scalar: Unicode.Scalar) -> String? {
        switch scalar.value {
        case 0: return "a NUL byte"
        case 0x09, 0x0A, 0x0D: return nil
        case 0x01...0x1F, 0x7F: return "control character U+\(hex(scalar.value))"
        case 0x80...0x9F where scalar.value != 0x85: return "control character U+\(hex(scalar.value))"
        case 0xFFFE, 0xFFFF: return "non-character U+\(hex(scalar.value))"
        default: return nil
        }
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
