import Synchronization

/// The miniboard's server-side state, shared by every event loop: sessions made by a form login
/// (like a servlet container's `JSESSIONID`), the messages posted in each, and what the target saw
/// per user so tests can compare it with what the load generator sent. A lock is fine here: this is
/// the target, not the load generator, and these endpoints are not its throughput benchmark.
final class BoardState: Sendable {
    /// The password every user name logs in with (form login and `GET /basic`).
    static let password = "secret"
    /// Sessions kept at once; past it the oldest is forgotten (its cookie then gets 401).
    static let maxSessions = 100_000
    /// Messages kept per session (the newest), and the longest message kept, in bytes.
    static let maxMessages = 10
    static let maxMessageBytes = 200
    /// The longest user name accepted, in bytes.
    static let maxUserBytes = 64

    private struct Session {
        var user: String
        var messages: [String] = []
    }

    private struct State {
        var sessions: [String: Session] = [:]
        /// Session ids oldest first, for forgetting the oldest when full.
        var order: [String] = []
        var orderStart = 0
        var counts = BoardStats()
    }

    private let state = Mutex(State())

    /// Starts a session for `user` and returns its id (32 hex digits from the system generator).
    func login(_ user: String) -> String {
        var generator = SystemRandomNumberGenerator()
        let id = (0..<2).map { _ in
            let hex = String(generator.next() as UInt64, radix: 16, uppercase: true)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
        state.withLock { state in
            if state.sessions.count >= Self.maxSessions, state.orderStart < state.order.count {
                state.sessions[state.order[state.orderStart]] = nil
                state.orderStart += 1
                if state.orderStart > Self.maxSessions {
                    state.order.removeFirst(state.orderStart)
                    state.orderStart = 0
                }
            }
            state.sessions[id] = Session(user: user)
            state.order.append(id)
            state.counts.logins[user, default: 0] += 1
        }
        return id
    }

    /// The user of session `id` and its messages, newest last; `nil` for an unknown session.
    func board(_ id: String) -> (user: String, messages: [String])? {
        state.withLock { state in state.sessions[id].map { ($0.user, $0.messages) } }
    }

    /// Posts `message` in session `id` as `author`; `nil` for an unknown session. A post whose author is
    /// not the session's user is refused and counted: one user's request carried another's cookie.
    func post(_ id: String, author: String?, message: String) -> PostOutcome? {
        state.withLock { state in
            guard var session = state.sessions[id] else { return nil }
            if let author, author != session.user {
                state.counts.authorMismatches += 1
                return .wrongAuthor(session: session.user)
            }
            session.messages.append(String(decoding: message.utf8.prefix(Self.maxMessageBytes), as: UTF8.self))
            if session.messages.count > Self.maxMessages { session.messages.removeFirst() }
            state.sessions[id] = session
            state.counts.posts[session.user, default: 0] += 1
            return .posted(user: session.user, messages: session.messages)
        }
    }

    enum PostOutcome {
        case posted(user: String, messages: [String])
        case wrongAuthor(session: String)
    }

    /// Counts a request to `GET /basic` that passed as `user`.
    func basicPassed(_ user: String) {
        state.withLock { $0.counts.basicPasses[user, default: 0] += 1 }
    }

    func stats() -> BoardStats { state.withLock { $0.counts } }
}

/// What the board endpoints saw since the target started, per user name.
public struct BoardStats: Sendable, Equatable {
    /// Successful form logins (`POST /board/login`).
    public var logins: [String: Int] = [:]
    /// Messages posted (`POST /board`), by the session's user.
    public var posts: [String: Int] = [:]
    /// `GET /basic` requests that passed basic authentication.
    public var basicPasses: [String: Int] = [:]
    /// Posts refused because their `author` field named another user than the session's.
    public var authorMismatches = 0

    public init() {}
}

extension TargetServer {
    /// What the board, login and basic-auth endpoints saw, per user name.
    public func boardStats() -> BoardStats { shared.board.stats() }
}
