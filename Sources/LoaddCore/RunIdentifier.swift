import Glibc
import Protocol

/// Run ids as loadd makes them: `20261122-184501-a3f9`, the UTC start second plus four random hex
/// digits, so folder names sort by start time and two runs in one second still differ.
enum RunIdentifier {
    /// A fresh id for a run starting now.
    static func make(now: Int = Int(time(nil))) -> RunID {
        var seconds = now
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func padded(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        let date = padded(parts.tm_year + 1900, 4) + padded(parts.tm_mon + 1, 2) + padded(parts.tm_mday, 2)
        let clock = padded(parts.tm_hour, 2) + padded(parts.tm_min, 2) + padded(parts.tm_sec, 2)
        let suffix = String(UInt16.random(in: 0...UInt16.max), radix: 16)
        return RunID(rawValue: "\(date)-\(clock)-\(String(repeating: "0", count: 4 - suffix.count))\(suffix)")
    }

    /// Whether `text` has exactly the shape `make` produces. Anything else (`..`, slashes, NUL) is
    /// refused before it gets near a path, so a request cannot name a file outside the run store.
    static func isValid(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 20, bytes[8] == UInt8(ascii: "-"), bytes[15] == UInt8(ascii: "-") else { return false }
        let digit = { (byte: UInt8) in (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
        let hex = { (byte: UInt8) in digit(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte) }
        return bytes[0..<8].allSatisfy(digit) && bytes[9..<15].allSatisfy(digit) && bytes[16..<20].allSatisfy(hex)
    }
}
