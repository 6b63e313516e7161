/// What carries a real user's session from one request to the next: cookies, redirects, credentials
/// and how data rows are dealt. Everything here is per user on its engine thread: no jar or row is
/// shared between users, and nothing takes a lock.

/// Scenario-wide session settings.
public struct SessionSettings: Sendable, Equatable {
    /// `cookies:` (default true, as in Locust and k6): each user keeps its own cookie jar (libcurl's
    /// cookie engine on its easy handle), emptied when the user is restarted.
    public var cookies: Bool

    public init(cookies: Bool = true) {
        self.cookies = cookies
    }
}

/// One request's redirect and credential settings.
public struct RequestSession: Sendable, Equatable {
    /// `follow_redirects:` (default true): 3xx answers with a `Location` are followed, at most
    /// `RequestSession.maxRedirects` times, and the whole chain is one request in the stats under the
    /// step's name. False: the 3xx is the answer (a success under the default status check).
    public var followRedirects: Bool
    /// `auth: { basic: [user, password] }`: sent with HTTP basic authentication.
    public var basicAuth: BasicAuth?

    /// As many redirects as k6 follows; one more fails the request as `too many redirects`.
    public static let maxRedirects = 10

    public init(followRedirects: Bool = true, basicAuth: BasicAuth? = nil) {
        self.followRedirects = followRedirects
        self.basicAuth = basicAuth
    }
}

/// A user name and password for HTTP basic authentication, each a template rendered per request
/// (a constant pair is set once per step change instead).
public struct BasicAuth: Sendable, Equatable {
    public var user: Template
    public var password: Template

    public init(user: Template, password: Template) {
        self.user = user
        self.password = password
    }

    public var isConstant: Bool { user.isConstant && password.isConstant }
}

/// How the rows of `data: { csv: … }` are handed to users.
public enum DataMode: String, Sendable, Equatable, CaseIterable {
    /// Each user takes the next row when it starts, wrapping around (and, in a fleet, the next row of
    /// its node's interleaved slice).
    case cycle
    /// Each user holds a row no other user of the run holds at the same time; the run is refused at
    /// start when it could have more users at once than rows (in a fleet: than its slice's rows).
    case unique
    /// Each user draws a row at random when it starts (and again when restarted), from the whole file.
    case random
}

extension DataPartition {
    /// How many of `rows` rows fall in this slice: rows `slot`, `slot + count`, `slot + 2·count`, …
    public func rows(of rows: Int) -> Int {
        rows > slot ? (rows - slot - 1) / count + 1 : 0
    }
}

extension Plan {
    /// The most users one node may run at once in `unique` data mode: the rows of its slice; `nil`
    /// in the other modes (or without data).
    public var uniqueUserCap: Int? {
        guard let data, data.mode == .unique else { return nil }
        return (share?.dataPartition ?? .whole).rows(of: data.rows.count)
    }

    /// Why `unique` data cannot serve `users` users at once on this node (its slice of the rows), or
    /// `nil` when it can or the mode is not `unique`. `what` names the count, e.g. "users: 5".
    public func uniqueDataProblem(users: Int, what: String) -> String? {
        guard let data, let cap = uniqueUserCap, users > cap else { return nil }
        let nodes = share?.dataPartition.count ?? 1
        let slice =
            nodes > 1
            ? "this node's slice (\(cap) of the \(data.rows.count) rows, shared by \(nodes) nodes)"
            : "\(data.rows.count) rows"
        return "data mode unique gives each user its own row: \(what) need \(users) rows, the data file has \(slice); "
            + "use fewer users, more rows, or mode: cycle"
    }
}
