/// The verdict of one threshold such as `p95 < 150ms`, evaluated on the merged stats.
public struct ThresholdResult: Codable, Sendable, Equatable {
    /// The threshold as written in the scenario.
    public var expression: String
    /// `nil` for the total, else the endpoint it applies to.
    public var endpoint: EndpointKey?
    /// The measured value, in the threshold's unit (ms, fraction, requests/s or a count).
    public var actual: Double
    public var passed: Bool

    public init(expression: String, endpoint: EndpointKey?, actual: Double, passed: Bool) {
        self.expression = expression
        self.endpoint = endpoint
        self.actual = actual
        self.passed = passed
    }
}
