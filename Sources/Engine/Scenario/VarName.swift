/// The names `extract:`, `--var` and `{{env.NAME}}` take: letters, digits and `_`, not starting with
/// a digit, so a name reads the same in a placeholder, a shell and a YAML key.
public enum VarName {
    public static func isValid(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else {
            return false
        }
        return name.utf8.allSatisfy {
            ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z"))
                || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "_")
        }
    }
}

/// RFC 4648 base64 with padding, for `{{base64 …}}` (at load time for constants, per request otherwise).
enum Base64 {
    static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        forEachByte(of: bytes) { out.append($0) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Calls `emit` with each output byte: no buffer, so a renderer can escape as it goes.
    @inline(__always) static func forEachByte(of bytes: [UInt8], _ emit: (UInt8) -> Void) {
        var i = 0
        while i + 3 <= bytes.count {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            emit(alphabet[Int(n >> 18 & 63)]); emit(alphabet[Int(n >> 12 & 63)])
            emit(alphabet[Int(n >> 6 & 63)]); emit(alphabet[Int(n & 63)])
            i += 3
        }
        let rest = bytes.count - i
        guard rest > 0 else { return }
        let n = UInt32(bytes[i]) << 16 | (rest == 2 ? UInt32(bytes[i + 1]) << 8 : 0)
        emit(alphabet[Int(n >> 18 & 63)]); emit(alphabet[Int(n >> 12 & 63)])
        emit(rest == 2 ? alphabet[Int(n >> 6 & 63)] : UInt8(ascii: "=")); emit(UInt8(ascii: "="))
    }
}

/// `--var NAME=VALUE` values (k6's `-e`): what `{{env.NAME}}` reads before the environment, and what
/// `loadctl start` sends the daemon, which hands them to every worker of a fleet.
public enum ScenarioVars {
    /// `NAME=VALUE` split; `nil` when there is no `=` or the name is not a valid name.
    public static func parse(_ text: String) -> (name: String, value: String)? {
        guard let equals = text.firstIndex(of: "=") else { return nil }
        let name = String(text[..<equals])
        guard VarName.isValid(name) else { return nil }
        return (name, String(text[text.index(after: equals)...]))
    }

    /// What is wrong with a set of vars (from a flag or a request body), one sentence each.
    public static func problems(_ vars: [String: String], field: String = "vars") -> [String] {
        var problems: [String] = []
        if vars.count > ScenarioLimits.maxCLIVars {
            problems.append("\(field): at most \(ScenarioLimits.maxCLIVars) vars, got \(vars.count)")
        }
        for (name, value) in vars.sorted(by: { $0.key < $1.key }) {
            if !VarName.isValid(name) || name.utf8.count > 255 {
                problems.append(
                    "\(field).\(name.prefix(64)): a name is letters, digits and _ (at most 255), not starting with a digit"
                )
            } else if value.utf8.count > ScenarioLimits.maxCLIVarBytes {
                problems.append(
                    "\(field).\(name): at most \(ScenarioLimits.maxCLIVarBytes) bytes, got \(value.utf8.count)")
            } else if value.utf8.contains(0) {
                problems.append("\(field).\(name): a value cannot hold a NUL byte")
            }
            if problems.count >= 10 { break }
        }
        return problems
    }

    /// The names a scenario's text refers to as `env.NAME` (in `{{env.NAME}}` or `{{base64 env.NAME}}`),
    /// so `loadctl start` sends the daemon those values from its environment and no others.
    public static func environmentNames(in text: String) -> Set<String> {
        var names: Set<String> = []
        let bytes = Array(text.utf8)
        let marker = Array("env.".utf8)
        var i = 0
        while i + marker.count < bytes.count {
            // `env.` starting a word, i.e. after `{`, a blank or the start.
            if bytes[i] == marker[0], bytes[i..<(i + marker.count)].elementsEqual(marker),
                i == 0 || [UInt8(ascii: "{"), UInt8(ascii: " "), UInt8(ascii: "\t")].contains(bytes[i - 1])
            {
                var end = i + marker.count
                while end < bytes.count,
                    bytes[end] == UInt8(ascii: "_")
                        || (bytes[end] < 0x80 && Character(UnicodeScalar(bytes[end])).isLetter)
                        || (bytes[end] >= UInt8(ascii: "0") && bytes[end] <= UInt8(ascii: "9"))
                { end += 1 }
                if end > i + marker.count {
                    names.insert(String(decoding: bytes[(i + marker.count)..<end], as: UTF8.self))
                }
                i = end
                continue
            }
            i += 1
        }
        return names
    }
}
