import NIOHTTP1

/// Every path the target knows. The raw value indexes the per-loop counters, so workload routes come
/// first and `unmatched` (404 and 405 answers) closes the counted range.
enum Route: Int, CaseIterable {
    case testV1, testV2, testV3, testV4, login, metrics
    case apiLogin, apiMe
    case unmatched
    case stats, statsReset, control

    /// Routes with a counter slot: everything but the admin endpoints.
    static let countedCount = Route.unmatched.rawValue + 1
    /// The workload routes, in the order `/stats` lists them.
    static let workload: [Route] = [.testV1, .testV2, .testV3, .testV4, .login, .metrics, .apiLogin, .apiMe]

    /// Matches the request target. The exact comparison comes first because load tests send bare paths;
    /// only a miss pays for looking for a query string.
    init(uri: String) {
        if let route = Route(path: uri[...]) {
            self = route
        } else if let question = uri.firstIndex(of: "?"), let route = Route(path: uri[..<question]) {
            self = route
        } else {
            self = .unmatched
        }
    }

    private init?(path: Substring) {
        switch path {
        case "/Test/V1": self = .testV1
        case "/Test/V2": self = .testV2
        case "/Test/V3": self = .testV3
        case "/Test/V4": self = .testV4
        case "/login": self = .login
        case "/metrics": self = .metrics
        case "/api/login": self = .apiLogin
        case "/api/me": self = .apiMe
        case "/stats": self = .stats
        case "/stats/reset": self = .statsReset
        case "/control": self = .control
        default: return nil
        }
    }

    var path: String {
        switch self {
        case .testV1: "/Test/V1"
        case .testV2: "/Test/V2"
        case .testV3: "/Test/V3"
        case .testV4: "/Test/V4"
        case .login: "/login"
        case .metrics: "/metrics"
        case .apiLogin: "/api/login"
        case .apiMe: "/api/me"
        case .stats: "/stats"
        case .statsReset: "/stats/reset"
        case .control: "/control"
        case .unmatched: ""
        }
    }

    /// Answered per request by `TokenEndpoints` (a token issued, a token checked), not canned; counted, no knobs.
    var isTokenAuth: Bool { self == .apiLogin || self == .apiMe }

    /// Knobs (delay, errors, stall) apply to these only.
    var isWorkload: Bool { rawValue < Route.unmatched.rawValue }

    /// The value of the `Allow` header of a 405, and the test for it.
    var allowedMethods: String {
        switch self {
        case .testV1, .testV2, .testV3, .testV4, .stats, .apiMe: "GET"
        case .login, .metrics, .statsReset, .apiLogin: "POST"
        case .control: "GET, POST"
        case .unmatched: ""
        }
    }

    func allows(_ method: HTTPMethod) -> Bool {
        switch self {
        case .testV1, .testV2, .testV3, .testV4, .stats, .apiMe: method == .GET
        case .login, .metrics, .statsReset, .apiLogin: method == .POST
        case .control: method == .GET || method == .POST
        case .unmatched: false
        }
    }
}
