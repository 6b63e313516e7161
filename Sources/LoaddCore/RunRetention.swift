import Glibc
import Protocol

/// How many stored runs the daemon keeps (`keep_runs:`) and for how long (`keep_days:`); 0 turns
/// that limit off. Applied at start, every minute and after each run ends; the active run is never
/// removed, and the oldest go first.
struct RunRetention: Equatable, Sendable {
    var keepRuns: Int
    var keepDays: Int

    static let keepRunsRange = 0...1_000_000
    static let keepDaysRange = 0...36_500
    static let defaults = RunRetention(keepRuns: 200, keepDays: 30)
    /// How often the daemon applies the policy besides start-up and each run's end.
    static let period: Duration = .seconds(60)

    /// In words for logs and `loadctl runs prune`.
    var description: String {
        "keep_runs \(keepRuns == 0 ? "off" : "\(keepRuns)"), keep_days \(keepDays == 0 ? "off" : "\(keepDays)")"
    }

    /// The runs to remove, oldest first: beyond the newest `keepRuns` (the protected ones count
    /// toward them) or started more than `keepDays` days before `now`. `protected` are never listed.
    func expired(_ ids: [RunID], now: Int, protected: Set<RunID>) -> [RunID] {
        let oldestFirst = ids.sorted { $0.rawValue < $1.rawValue }
        var excess = keepRuns > 0 ? max(0, oldestFirst.count - keepRuns) : 0
        let cutoff = keepDays > 0 ? now - keepDays * 86_400 : Int.min
        var victims: [RunID] = []
        for id in oldestFirst where !protected.contains(id) {
            let tooOld = Self.startSecond(of: id).map { $0 < cutoff } ?? false
            if excess > 0 || tooOld {
                victims.append(id)
                if excess > 0 { excess -= 1 }
            }
        }
        return victims
    }

    /// The UTC start second a run id carries (`20261122-184501-a3f9`), `nil` if it names no real time.
    static func startSecond(of id: RunID) -> Int? {
        let text = Array(id.rawValue.utf8)
        guard RunIdentifier.isValid(id.rawValue) else { return nil }
        func number(_ range: Range<Int>) -> Int32 {
            text[range].reduce(0) { $0 * 10 + Int32($1 - UInt8(ascii: "0")) }
        }
        var parts = tm()
        parts.tm_year = number(0..<4) - 1900
        parts.tm_mon = number(4..<6) - 1
        parts.tm_mday = number(6..<8)
        parts.tm_hour = number(9..<11)
        parts.tm_min = number(11..<13)
        parts.tm_sec = number(13..<15)
        let seconds = timegm(&parts)
        return seconds < 0 ? nil : Int(seconds)
    }
}
