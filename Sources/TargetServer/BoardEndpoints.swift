import NIOCore
import NIOHTTP1

/// The endpoints of a small real application, answered per request (not canned) because they read
/// cookies, credentials and form bodies: a miniboard behind a form login with a session cookie, a
/// redirect, a redirect loop and a page behind basic authentication. They are not counted in
/// `/stats` and the knobs (delay, errors, stall) do not apply to them; `TargetServer.boardStats()`
/// says what they saw.
enum BoardRoute: Equatable {
    /// `POST /board/login` (form `username`, `password`): 302 to `/board` with `JSESSIONID`, or 401.
    case login
    /// `GET /board` shows the session's user and messages; `POST /board` (form `message`, optional
    /// `author`) posts one. Both 401 without a valid session cookie.
    case board
    /// `GET /old`: 302 to `/new`.
    case old
    /// `GET /new`: 200.
    case new
    /// `GET /redirect-loop`: 302 to itself, forever.
    case loop
    /// `GET /basic`: 200 with basic credentials whose password is `secret`, else 401 with `WWW-Authenticate`.
    case basic

    static let cookieName = "JSESSIONID"
    /// A form body past this many bytes is cut (only small forms are expected).
    static let maxBodyBytes = 64 << 10

    init?(uri: String) {
        let path = uri.firstIndex(of: "?").map { uri[..<$0] } ?? uri[...]
        switch path {
        case "/board/login": self = .login
        case "/board": self = .board
        case "/old": self = .old
        case "/new": self = .new
        case "/redirect-loop": self = .loop
        case "/basic": self = .basic
        default: return nil
        }
    }

    var allowedMethods: String {
        switch self {
        case .login: "POST"
        case .board: "GET, POST"
        case .old, .new, .loop, .basic: "GET"
        }
    }

    func allows(_ method: HTTPMethod) -> Bool {
        switch self {
        case .login: method == .POST
        case .board: method == .GET || method == .POST
        case .old, .new, .loop, .basic: method == .GET || method == .HEAD
        }
    }
}

/// What a board request carries until its end arrives: the headers it needs and its (cut) body.
struct BoardRequest {
    var route: BoardRoute
    var cookie: String?
    var authorization: String?
    var body: ByteBuffer?

    init(route: BoardRoute, head: HTTPRequestHead) {
        self.route = route
        cookie = head.headers[canonicalForm: "cookie"].map(String.init).joined(separator: "; ")
        authorization = head.headers.first(name: "authorization")
    }

    mutating func append(_ chunk: ByteBuffer) {
        var chunk = chunk
        let room = BoardRoute.maxBodyBytes - (body?.readableBytes ?? 0)
        guard room > 0, let bytes = chunk.readSlice(length: min(room, chunk.readableBytes)) else { return }
        if body == nil { body = bytes } else { body!.writeImmutableBuffer(bytes) }
    }

    var bodyText: String {
        guard let body else { return "" }
        return String(decoding: body.readableBytesView, as: UTF8.self)
    }

    /// The value of the session cookie, if the request sent one.
    var sessionID: String? {
        guard let cookie else { return nil }
        for pair in cookie.split(separator: ";") {
            let trimmed = pair.drop { $0 == " " }
            if trimmed.hasPrefix(BoardRoute.cookieName + "=") {
                return String(trimmed.dropFirst(BoardRoute.cookieName.count + 1))
            }
        }
        return nil
    }
}

enum BoardEndpoints {
    static func respond(
        to request: BoardRequest, method: HTTPMethod, board: BoardState,
        allocator: ByteBufferAllocator
    ) -> CannedResponse {
        func answer(
            _ status: HTTPResponseStatus, _ text: String, type: String = "text/plain; charset=utf-8",
            headers: [(String, String)] = []
        ) -> CannedResponse {
            CannedResponse(status: status, contentType: type, body: text, allocator: allocator, extraHeaders: headers)
        }
        let route = request.route
        guard route.allows(method) else {
            return answer(.methodNotAllowed, "method not allowed\n", headers: [("allow", route.allowedMethods)])
        }
        switch route {
        case .login:
            let form = FormFields(request.bodyText)
            guard let user = form["username"], !user.isEmpty, user.utf8.count <= BoardState.maxUserBytes,
                form["password"] == BoardState.password
            else {
                return answer(.unauthorized, "login failed: wrong user name or password\n")
            }
            let id = board.login(user)
            return answer(
                .found, "signed in as \(user)\n",
                headers: [
                    ("location", "/board"), ("set-cookie", "\(BoardRoute.cookieName)=\(id); Path=/; HttpOnly"),
                ])
        case .board:
            guard let id = request.sessionID else { return answer(.unauthorized, "not signed in\n") }
            if method == .GET {
                guard let (user, messages) = board.board(id) else { return answer(.unauthorized, "session expired\n") }
                return answer(.ok, page(user: user, messages: messages), type: "text/html; charset=utf-8")
            }
            let form = FormFields(request.bodyText)
            switch board.post(id, author: form["author"], message: form["message"] ?? "") {
            case nil:
                return answer(.unauthorized, "session expired\n")
            case .wrongAuthor(let user)?:
                return answer(.forbidden, "this session belongs to \(user)\n")
            case .posted(let user, let messages)?:
                return answer(.ok, page(user: user, messages: messages), type: "text/html; charset=utf-8")
            }
        case .old:
            return answer(.found, "moved to /new\n", headers: [("location", "/new")])
        case .new:
            return answer(.ok, "new\n")
        case .loop:
            return answer(.found, "round and round\n", headers: [("location", "/redirect-loop")])
        case .basic:
            guard let (user, password) = BasicCredentials.decode(request.authorization),
                !user.isEmpty, password == BoardState.password
            else {
                return answer(
                    .unauthorized, "credentials needed\n",
                    headers: [("www-authenticate", #"Basic realm="loadd target""#)])
            }
            board.basicPassed(user)
            return answer(.ok, "hello \(user)\n")
        }
    }

    /// The board page: who is signed in and the session's last messages (escaped).
    static func page(user: String, messages: [String]) -> String {
        var html = "<!doctype html><title>board</title><p>signed in as \(escape(user))</p><ul>"
        for message in messages { html += "<li>\(escape(message))</li>" }
        return html + "</ul>\n"
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\"": out += "&quot;"
            default: out.append(character)
            }
        }
        return out
    }
}
