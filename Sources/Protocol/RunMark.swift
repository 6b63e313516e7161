/// An event stamped into a running run (`loadctl mark "scaled web to 5 pods"`, `POST /v1/marks`): a deploy
/// started, a pod was killed. Reports draw it on the timeline so latency and failures can be read around it.
/// On a fleet the master records it: a mark is about the run, not about one node's load.
public struct RunMark: Codable, Sendable, Equatable {
    /// At most `maxTextCharacters` characters, not empty.
    public static let maxTextCharacters = 200
    /// A run keeps at most this many marks; more are refused by name.
    public static let maxPerRun = 1000

    public var text: String
    /// Unix time of the mark, seconds with millisecond decimals.
    public var unixTime: Double
    /// Seconds from the run's start (the history's second 0) to the mark.
    public var elapsedS: Double

    public init(text: String, unixTime: Double, elapsedS: Double) {
        self.text = text
        self.unixTime = unixTime
        self.elapsedS = elapsedS
    }

    /// Why `text` cannot be a mark, or nil when it can: the message names the field and the range.
    public static func problem(text: String) -> String? {
        if text.allSatisfy(\.isWhitespace) { return "text: must not be empty" }
        let count = text.count
        if count > maxTextCharacters { return "text: at most \(maxTextCharacters) characters, got \(count)" }
        if text.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\t" }) {
            return "text: must be one line without control characters"
        }
        return nil
    }

    enum CodingKeys: String, CodingKey {
        case text, unixTime = "unix_time", elapsedS = "elapsed_s"
    }
}

/// `POST /v1/marks`.
public struct MarkRequest: Codable, Sendable, Equatable {
    public var text: String

    public init(text: String) {
        self.text = text
    }
}
