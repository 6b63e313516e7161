/// Renders `Template`s into `RenderBuffer`s: a user's fixed values come pre-rendered, moments
/// (`{{now}}`, `{{uuid}}`) are formatted digit by digit and escapes come from constant tables, so
/// rendering allocates nothing unless a buffer must grow past its largest render so far.
struct TemplateRenderer {
    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)
    private static let jsonControlPrefix: [UInt8] = Array("\\u00".utf8)
    /// Percent-encoding uses upper-case digits (RFC 3986 section 2.1).
    private static let upperHex: [UInt8] = Array("0123456789ABCDEF".utf8)

    static func render(_ template: Template, into out: RenderBuffer, user: UserValues, random: inout FastRandom) {
        for part in template.parts {
            switch part {
            case .literal(let bytes):
                out.append(bytes)
            case .uuid:
                appendUUID(into: out, random: &random)
            case .now:
                appendDecimal(MonotonicClock.unixMicros() / 1_000_000, into: out)
            case .nowMillis:
                appendDecimal(MonotonicClock.unixMicros() / 1_000, into: out)
            case .randomInt(let low, let high):
                let value = Int.random(in: low...high, using: &random)
                if value < 0 { out.append(UInt8(ascii: "-")) }
                appendDecimal(value.magnitude.toUInt64, into: out)
            case .variable(let index):
                appendEscaped(user.vars[index], into: out, escaping: template.escaping)
            case .data(let column):
                appendEscaped(user.data[column], into: out, escaping: template.escaping)
            case .extracted(let slot):
                appendEscaped(user.extracted[slot], into: out, escaping: template.escaping)
            case .base64(let value):
                let bytes: [UInt8]
                switch value {
                case .variable(let index): bytes = user.vars[index]
                case .data(let column): bytes = user.data[column]
                case .extracted(let slot): bytes = user.extracted[slot]
                }
                // Only a form needs escaping here: `+`, `/` and `=` are the base64 bytes it reserves.
                Base64.forEachByte(of: bytes) { byte in
                    if template.escaping == .form,
                        byte == UInt8(ascii: "+") || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "=")
                    {
                        out.append(UInt8(ascii: "%"))
                        out.append(upperHex[Int(byte >> 4)])
                        out.append(upperHex[Int(byte & 0xF)])
                    } else {
                        out.append(byte)
                    }
                }
            }
        }
    }

    static func appendDecimal(_ value: UInt64, into out: RenderBuffer) {
        if value >= 10 { appendDecimal(value / 10, into: out) }
        out.append(UInt8(ascii: "0") + UInt8(value % 10))
    }

    private static func appendUUID(into out: RenderBuffer, random: inout FastRandom) {
        let high = random.next(), low = random.next()
        // Version 4, variant 10: fixed nibbles at positions 12 and 16.
        for i in 0..<32 {
            if i == 8 || i == 12 || i == 16 || i == 20 { out.append(UInt8(ascii: "-")) }
            var nibble = Int(((i < 16 ? high : low) >> UInt64(60 - (i % 16) * 4)) & 0xF)
            if i == 12 { nibble = 4 }
            if i == 16 { nibble = 8 | (nibble & 0x3) }
            out.append(hex[nibble])
        }
    }

    static func appendEscaped(_ bytes: [UInt8], into out: RenderBuffer, escaping: Template.Escaping) {
        switch escaping {
        case .none:
            out.append(bytes)
        case .form:
            for b in bytes {
                if isUnreserved(b) {
                    out.append(b)
                } else if b == UInt8(ascii: " ") {
                    out.append(UInt8(ascii: "+"))
                } else {
                    out.append(UInt8(ascii: "%"))
                    out.append(upperHex[Int(b >> 4)])
                    out.append(upperHex[Int(b & 0xF)])
                }
            }
        case .json:
            for b in bytes {
                switch b {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                    out.append(UInt8(ascii: "\\"))
                    out.append(b)
                case 0..<0x20:
                    out.append(jsonControlPrefix)
                    out.append(hex[Int(b >> 4)])
                    out.append(hex[Int(b & 0xF)])
                default:
                    out.append(b)
                }
            }
        }
    }

    @inline(__always) private static func isUnreserved(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
            || b == UInt8(ascii: "-") || b == UInt8(ascii: "_") || b == UInt8(ascii: ".") || b == UInt8(ascii: "~")
    }
}

/// A user's values: rendered vars and its row of the data feed, fixed for its life, and the values
/// its steps extracted from responses, replaced as later responses are read.
struct UserValues {
    var vars: [[UInt8]] = []
    var data: [[UInt8]] = []
    var extracted: [[UInt8]] = []
}

extension UInt {
    fileprivate var toUInt64: UInt64 { UInt64(self) }
}
