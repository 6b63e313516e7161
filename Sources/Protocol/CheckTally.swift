/// One row of the checks table (k6's): how many responses of one request passed and failed one of
/// its checks (`status 200`, `$.status == "ok"`, `header Content-Type contains "json"`, `max_ms 200`).
/// An interval carries the counts of its second; a summary carries the run's totals, merged across a
/// fleet by `(method, name, check)`.
public struct CheckTally: Codable, Sendable, Equatable {
    public var method: String
    public var name: String
    /// The check as the scenario wrote it.
    public var check: String
    public var passes: UInt64
    public var fails: UInt64

    public init(method: String, name: String, check: String, passes: UInt64, fails: UInt64) {
        self.method = method
        self.name = name
        self.check = check
        self.passes = passes
        self.fails = fails
    }

    public var endpoint: EndpointKey { EndpointKey(method: method, name: name) }
}
