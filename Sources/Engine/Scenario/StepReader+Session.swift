import Yams

/// Reading the session keys: `cookies:` (top level), `follow_redirects:` and `auth:` (top level or
/// per step) and `data: { mode: … }`. Every problem is recorded with its place, like the rest.
extension YAMLReader {
    static let sessionStepKeys = ["follow_redirects", "auth"]
    static let authKeys = ["basic"]

    /// `true` or `false` (YAML's yes/no/on/off are read as such too).
    mutating func bool(_ node: Node, _ field: String) -> Bool? {
        guard case .scalar(let scalar) = node, !node.isNull, let flag = Bool.construct(from: scalar) else {
            fail(at: node, field, "expected true or false, got \(node.kindDescription)")
            return nil
        }
        return flag
    }

    /// `cookies:` at the top level.
    mutating func sessionSettings(_ top: Fields) -> SessionSettings? {
        var settings = SessionSettings()
        if let node = top["cookies"] {
            guard let flag = bool(node, top.path("cookies")) else { return nil }
            settings.cookies = flag
        }
        return settings
    }

    /// `follow_redirects:` and `auth:` of one mapping (the top level or a step) over `defaults`.
    mutating func requestSession(_ fields: Fields, defaults: RequestSession, scope: TemplateScope) -> RequestSession? {
        var session = defaults
        var valid = true
        if let node = fields["follow_redirects"] {
            if let flag = bool(node, fields.path("follow_redirects")) {
                session.followRedirects = flag
            } else {
                valid = false
            }
        }
        if let node = fields["auth"] {
            if node.isNull {
                session.basicAuth = nil   // `auth: ~` on a step drops the scenario's credentials
            } else if let auth = basicAuth(node, fields.path("auth"), scope: scope) {
                session.basicAuth = auth
            } else {
                valid = false
            }
        }
        return valid ? session : nil
    }

    /// `auth: { basic: [user, password] }`, each a template.
    private mutating func basicAuth(_ node: Node, _ field: String, scope: TemplateScope) -> BasicAuth? {
        let before = errors.count
        guard let fields = mapping(node, field, known: Self.authKeys) else { return nil }
        guard let basic = fields["basic"] else {
            // A misspelt key is already reported with its suggestion.
            if errors.count == before { fail(at: node, field, "expected { basic: [USER, PASSWORD] }") }
            return nil
        }
        let path = fields.path("basic")
        guard case .sequence(let list) = basic, list.count == 2 else {
            fail(at: basic, path, "expected a list of two values [USER, PASSWORD], got \(basic.kindDescription)")
            return nil
        }
        let user = credential(list[0], "\(path)[0]", scope: scope)
        let password = credential(list[1], "\(path)[1]", scope: scope)
        guard let user, let password else { return nil }
        // RFC 7617: the user-id cannot hold a colon (it would end up in the password).
        if user.parts.contains(where: {
            if case .literal(let bytes) = $0 { bytes.contains(UInt8(ascii: ":")) } else { false }
        }) {
            fail(at: list[0], "\(path)[0]", "a basic-auth user name cannot contain ':'")
            return nil
        }
        return BasicAuth(user: user, password: password)
    }

    /// One credential: text (an empty password is allowed) without line breaks.
    private mutating func credential(_ node: Node, _ field: String, scope: TemplateScope) -> Template? {
        guard let text = scalarText(node, field, expected: "text") else { return nil }
        let value = node.isNull ? "" : text
        if value.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\r\n" || $0 == "\0" }) {
            fail(at: node, field, "a credential cannot hold a line break or NUL")
            return nil
        }
        return templateParts(value, at: node, field, scope: scope).map { Template(parts: $0) }
    }

    /// `data: { mode: cycle | unique | random }` (cycle when not given).
    mutating func dataMode(_ node: Node?, _ field: String) -> DataMode? {
        guard let node else { return .cycle }
        guard let text = string(node, field) else { return nil }
        guard let mode = DataMode(rawValue: text) else {
            let names = DataMode.allCases.map(\.rawValue)
            let hint =
                Suggestion.closest(to: text, in: names).map { " (did you mean '\($0)'?)" }
                ?? "; expected one of: \(names.joined(separator: ", "))"
            fail(at: node, field, "unknown data mode '\(text)'\(hint)")
            return nil
        }
        return mode
    }

    /// In `unique` mode, refuses a plan that could run more users at once than there are rows.
    mutating func checkUniqueData(_ plan: Plan, modeNode: Node?) {
        guard plan.data?.mode == .unique else { return }
        let peak = RunBudget(plan: plan, threads: 1, nodeBytes: 0).users
        let what = plan.isOpenModel ? "max_in_flight: \(peak) iterations in flight" : "\(peak) users"
        if let problem = plan.uniqueDataProblem(users: Int(clamping: peak), what: what) {
            fail(at: modeNode, "data.mode", problem)
        }
    }
}
