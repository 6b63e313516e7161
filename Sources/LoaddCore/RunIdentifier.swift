import Glibc
import Protocol

/// Run ids as loadd makes them: `20261122-184501-a3f9`, the UTC start second plus four random hex
/// digits, so folder names sort by start time and two runs in one second still differ.
enum RunIdentifier {
    /// A fresh id for a run starting now.
    static func make(now: Int = Int(time(nil))) -> RunID {
        let suffix = String(UInt16.random(in: 0...UInt16.max), radix: 16)
        return RunID(
            rawValue: "\(UTCTime(unixSeconds: now).compact)-\(String(repeating: "0", count: 4 - suffix.count))\(suffix)"
        )
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
