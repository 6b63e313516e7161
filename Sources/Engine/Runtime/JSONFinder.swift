/// Finds the value at one JSON path in a response body without building the document: keys not on
/// the path are skipped as spans of bytes, so a lookup costs one pass over at most the bytes before
/// the value and allocates only the value it returns. Lenient inside the parts it skips (it matches
/// brackets and strings there), strict on the way to the value: a body that is not JSON where the
/// path leads is `invalid`, never a crash.
struct JSONFinder {
    enum Outcome: Equatable {
        /// The value: a string's decoded text, or a number, `true`, `false`, `null`, object or array as written.
        case found([UInt8])
        case missing
        case invalid
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var i = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    static func find(_ path: JSONPath, in bytes: UnsafeBufferPointer<UInt8>) -> Outcome {
        var finder = JSONFinder(bytes)
        return finder.find(path)
    }

    private mutating func find(_ path: JSONPath) -> Outcome {
        skipSpace()
        guard i < bytes.count else { return .invalid }
        for segment in path.segments {
            let step: Outcome?
            switch segment {
            case .key(let name): step = enterMember(name)
            case .index(let index): step = enterElement(index)
            }
            if let step { return step }
        }
        let start = i
        guard skipValue() else { return .invalid }
        if bytes[start] == UInt8(ascii: "\"") {
            return decodeString(from: start).map(Outcome.found) ?? .invalid
        }
        return .found(Array(bytes[start..<i]))
    }

    // MARK: Walking

    /// Moves to the value of member `name` of the object here; `nil` when there, else the outcome.
    private mutating func enterMember(_ name: [UInt8]) -> Outcome? {
        guard i < bytes.count else { return .invalid }
        guard bytes[i] == UInt8(ascii: "{") else { return isValueStart(bytes[i]) ? .missing : .invalid }
        i += 1
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") { return .missing }
        while true {
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { return .invalid }
            let keyStart = i
            guard skipString() else { return .invalid }
            let matches = keyEquals(name, keyStart: keyStart, keyEnd: i)
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return .invalid }
            i += 1
            skipSpace()
            if matches { return i < bytes.count ? nil : .invalid }
            guard skipValue() else { return .invalid }
            skipSpace()
            guard i < bytes.count else { return .invalid }
            if bytes[i] == UInt8(ascii: "}") { return .missing }
            guard bytes[i] == UInt8(ascii: ",") else { return .invalid }
            i += 1
            skipSpace()
        }
    }

    /// Moves to element `index` (negative: from the end) of the array here.
    private mutating func enterElement(_ index: Int) -> Outcome? {
        guard i < bytes.count else { return .invalid }
        guard bytes[i] == UInt8(ascii: "[") else { return isValueStart(bytes[i]) ? .missing : .invalid }
        var wanted = index
        if index < 0 {
            let start = i
            guard let count = countElements() else { return .invalid }
            wanted = count + index
            if wanted < 0 { return .missing }
            i = start
        }
        i += 1
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "]") { return .missing }
        var position = 0
        while true {
            if position == wanted { return i < bytes.count ? nil : .invalid }
            guard skipValue() else { return .invalid }
            skipSpace()
            guard i < bytes.count else { return .invalid }
            if bytes[i] == UInt8(ascii: "]") { return .missing }
            guard bytes[i] == UInt8(ascii: ",") else { return .invalid }
            i += 1
            skipSpace()
            position += 1
        }
    }

    /// The elements of the array here (leaves `i` past it).
    private mutating func countElements() -> Int? {
        i += 1
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "]") { return 0 }
        var count = 0
        while true {
            guard i < bytes.count, skipValue() else { return nil }
            count += 1
            skipSpace()
            guard i < bytes.count else { return nil }
            if bytes[i] == UInt8(ascii: "]") { return count }
            guard bytes[i] == UInt8(ascii: ",") else { return nil }
            i += 1
            skipSpace()
        }
    }

    // MARK: Skipping

    private mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D { i += 1 }
    }

    private func isValueStart(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: "-"), UInt8(ascii: "t"),
            UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default: return false
        }
    }

    /// Past one value; containers by matching brackets (iteratively: no recursion a hostile depth could exhaust).
    private mutating func skipValue() -> Bool {
        guard i < bytes.count else { return false }
        switch bytes[i] {
        case UInt8(ascii: "\""):
            return skipString()
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            while i < bytes.count {
                switch bytes[i] {
                case UInt8(ascii: "\""):
                    guard skipString() else { return false }
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 {
                        i += 1
                        return true
                    }
                default:
                    break
                }
                i += 1
            }
            return false
        default:
            let start = i
            while i < bytes.count {
                let byte = bytes[i]
                let isScalar =
                    (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                    || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".")
                    || byte == UInt8(ascii: "E")
                guard isScalar else { break }
                i += 1
            }
            return i > start && isValueStart(bytes[start])
        }
    }

    /// Past a string starting at its opening quote.
    private mutating func skipString() -> Bool {
        i += 1
        while i < bytes.count {
            switch bytes[i] {
            case UInt8(ascii: "\""):
                i += 1
                return true
            case UInt8(ascii: "\\"):
                i += 2
            case 0..<0x20:
                return false
            default:
                i += 1
            }
        }
        return false
    }

    private func keyEquals(_ name: [UInt8], keyStart: Int, keyEnd: Int) -> Bool {
        let raw = bytes[(keyStart + 1)..<(keyEnd - 1)]
        if !raw.contains(UInt8(ascii: "\\")) { return raw.elementsEqual(name) }
        return decodeString(from: keyStart) == name
    }

    // MARK: Strings

    /// The text of the string starting at `start` (its quote), escapes decoded; `nil` if malformed.
    private func decodeString(from start: Int) -> [UInt8]? {
        var out: [UInt8] = []
        var j = start + 1
        while j < bytes.count {
            let byte = bytes[j]
            if byte == UInt8(ascii: "\"") { return out }
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                j += 1
                continue
            }
            guard j + 1 < bytes.count else { return nil }
            switch bytes[j + 1] {
            case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "/"): out.append(UInt8(ascii: "/"))
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                guard var scalar = hex4(at: j + 2) else { return nil }
                j += 6
                if (0xD800..<0xDC00).contains(scalar) {
                    // A surrogate pair: the low half must follow as another \u escape.
                    guard j + 1 < bytes.count, bytes[j] == UInt8(ascii: "\\"), bytes[j + 1] == UInt8(ascii: "u"),
                        let low = hex4(at: j + 2), (0xDC00..<0xE000).contains(low)
                    else { return nil }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    j += 6
                }
                guard let unicode = Unicode.Scalar(scalar) else { return nil }
                out.append(contentsOf: String(Character(unicode)).utf8)
                continue
            default:
                return nil
            }
            j += 2
        }
        return nil
    }

    private func hex4(at start: Int) -> UInt32? {
        guard start + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for k in start..<(start + 4) {
            let byte = bytes[k]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: return nil
            }
            value = value << 4 | digit
        }
        return value
    }
}
