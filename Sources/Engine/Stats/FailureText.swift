import Protocol

/// How a plan's failures read: the one place a typed `FailureReason` becomes the text of the
/// failures table, Locust's `Error` column, a slow period's reasons and an abort reason. Built
/// when a summary is rendered, from the plan the run compiled (on a fleet's master the same plan
/// its workers compiled, so a check row or extraction id names the same step everywhere).
public struct FailureText: Sendable {
    /// Each endpoint's body check (`check: { body: … }`), which `bodyCheck` quotes.
    private let bodyChecks: [EndpointKey: Check]
    private let labels: ResponseLabels

    /// Plain texts, without a plan's names (`check failed: #2`).
    public init() {
        bodyChecks = [:]
        labels = ResponseLabels()
    }

    public init(plan: Plan) {
        var checks: [EndpointKey: Check] = [:]
        for request in plan.requests where request.check.bodyContains != nil && request.endpoint < plan.endpoints.count
        {
            let key = plan.endpoints[request.endpoint]
            if checks[key] == nil { checks[key] = request.check }
        }
        bodyChecks = checks
        labels = plan.labels
    }

    /// `reason` as `endpoint`'s failures table shows it.
    public func text(_ reason: FailureReason, endpoint: EndpointKey?) -> String {
        reason.describe(check: endpoint.flatMap { bodyChecks[$0] }, labels: labels)
    }
}

/// A failure reason and, when its text depends on the endpoint (a body check quotes the endpoint's
/// own), the endpoint: one line of a slow period's reasons once rendered.
struct FailureKind: Hashable, Sendable {
    var reason: FailureReason
    var endpoint: EndpointKey?

    init(_ reason: FailureReason, of endpoint: EndpointKey) {
        self.reason = reason
        self.endpoint = reason == .bodyCheck ? endpoint : nil
    }
}
