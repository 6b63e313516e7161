/// What a template may refer to where it is written.
struct TemplateScope {
    /// Declared `vars:` names; `TemplatePart.variable` indexes this.
    var vars: [String] = []
    /// CSV column names; `nil` when the scenario has no `data:`.
    var columns: [String]?
    /// The CSV file as the scenario names it, for errors (which name it, never its contents).
    var dataFile = "the data file"
    /// True when `data:` failed to load: any column is taken, since the real problem is already reported.
    var acceptsAnyColumn = false
    /// False inside `vars:` itself: vars are rendered once per user, in no particular order.
    var allowsVars = true
    /// Names an earlier step (or `on_start`) extracts, usable here, with their slots.
    var extracted: [String: Int] = [:]
    /// What `{{env.NAME}}` reads: the compiling node's environment with `--var` values over it.
    var environment: [String: String] = [:]
}

/// Splits `{{…}}` placeholders out of a string once, at load time: `{{uuid}}`, `{{now}}`, `{{now_ms}}`,
/// `{{random_int A B}}`, `{{NAME}}` / `{{vars.NAME}}` and `{{data.COLUMN}}`.
enum TemplateParser {
    static let builtins = ["uuid", "now", "now_ms", "random_int", "base64"]

    /// The parts of `text`, with literal runs passed through `encodeLiteral` (a form or JSON body stores
    /// its literals already escaped), and every problem found, in order.
    static func parse(
        _ text: String, scope: TemplateScope,
        encodeLiteral: (Substring) -> [UInt8] = { Array($0.utf8) }
    ) -> (parts: [TemplatePart], problems: [String]) {
        var builder = TemplateBuilder()
        var problems: [String] = []
        var rest = Substring(text)
        while let open = rest.firstRange(of: "{{") {
            builder.appendLiteral(encodeLiteral(rest[..<open.lowerBound]))
            let afterOpen = rest[open.upperBound...]
            guard let close = afterOpen.firstRange(of: "}}") else {
                problems.append("unclosed '{{' (expected '}}' after '{{\(afterOpen.prefix(20))')")
                rest = rest[rest.endIndex...]
                break
            }
            switch placeholder(String(afterOpen[..<close.lowerBound]), scope: scope, encodeLiteral: encodeLiteral) {
            case .success(let part): builder.append(part)
            case .failure(let problem): problems.append(problem.message)
            }
            rest = afterOpen[close.upperBound...]
        }
        builder.appendLiteral(encodeLiteral(rest))
        return (builder.parts, problems)
    }

    private static func placeholder(
        _ inner: String, scope: TemplateScope,
        encodeLiteral: (Substring) -> [UInt8]
    ) -> Result<TemplatePart, Problem> {
        let words = inner.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let name = words.first else { return .failure(Problem("empty placeholder '{{}}'")) }
        if name == "random_int" {
            guard words.count == 3, let low = Int(words[1]), let high = Int(words[2]), low <= high else {
                return .failure(
                    Problem(
                        "'{{\(inner)}}': random_int takes two whole numbers A B with A <= B, e.g. {{random_int 1 100}}")
                )
            }
            let range = ScenarioLimits.randomInt
            guard range.contains(low), range.contains(high) else {
                return .failure(
                    Problem("'{{\(inner)}}': random_int bounds must be within \(range.lowerBound)…\(range.upperBound)"))
            }
            return .success(.randomInt(low, high))
        }
        if name == "base64" {
            guard words.count == 2 else {
                return .failure(
                    Problem(
                        "'{{\(inner)}}': base64 takes one value, e.g. {{base64 vars.credentials}} or {{base64 env.SECRET}}"
                    ))
            }
            return base64(words[1], scope: scope, encodeLiteral: encodeLiteral)
        }
        guard words.count == 1 else {
            return .failure(Problem("'{{\(inner)}}': only random_int takes arguments (and base64 one name)"))
        }
        switch name {
        case "uuid": return .success(.uuid)
        case "now": return .success(.now)
        case "now_ms": return .success(.nowMillis)
        default: break
        }
        if name.hasPrefix("data.") {
            return column(String(name.dropFirst("data.".count)), scope: scope)
        }
        if name.hasPrefix("env.") {
            return environment(String(name.dropFirst("env.".count)), scope: scope).map {
                .literal(encodeLiteral($0[...]))
            }
        }
        let varName = name.hasPrefix("vars.") ? String(name.dropFirst("vars.".count)) : name
        if let index = scope.vars.firstIndex(of: varName) {
            guard scope.allowsVars else {
                return .failure(
                    Problem("'{{\(name)}}': a var cannot use another var (vars are rendered independently)"))
            }
            return .success(.variable(index))
        }
        if let slot = scope.extracted[varName] { return .success(.extracted(slot)) }
        if !name.hasPrefix("vars."), scope.columns?.contains(name) == true {
            return .failure(Problem("unknown placeholder '{{\(name)}}' (did you mean 'data.\(name)'?)"))
        }
        // Column names are the data file's text: never suggested, so an error cannot leak them.
        let candidates = builtins + scope.vars + scope.vars.map { "vars.\($0)" } + scope.extracted.keys.sorted()
        let what = name.hasPrefix("vars.") ? "undeclared var" : "unknown placeholder"
        let hint = Suggestion.hint(for: name, in: candidates)
        // The likeliest cause of an unknown plain name is a value from a response used too early.
        let extractHint =
            hint.isEmpty && !name.contains(".")
            ? " (no var is named '\(name)', and no earlier step of this task or of on_start extracts it)" : hint
        return .failure(Problem("\(what) '{{\(name)}}'\(extractHint)"))
    }

    /// `{{env.NAME}}`: the value, or why there is none (an unset variable is a validate error, not an empty string).
    private static func environment(_ key: String, scope: TemplateScope) -> Result<String, Problem> {
        guard VarName.isValid(key) else {
            return .failure(
                Problem(
                    "'{{env.\(key)}}': an environment variable name is letters, digits and _, not starting with a digit"
                ))
        }
        guard let value = scope.environment[key] else {
            return .failure(
                Problem(
                    "environment variable '\(key)' is not set ('{{env.\(key)}}'): set it, or pass --var \(key)=VALUE"))
        }
        return .success(value)
    }

    /// `{{base64 NAME}}`: NAME is a var, `data.COLUMN`, an extracted value or `env.NAME` (encoded at load time).
    private static func base64(
        _ word: String, scope: TemplateScope,
        encodeLiteral: (Substring) -> [UInt8]
    ) -> Result<TemplatePart, Problem> {
        if word.hasPrefix("env.") {
            return environment(String(word.dropFirst("env.".count)), scope: scope)
                .map { .literal(encodeLiteral(Base64.encode(Array($0.utf8))[...])) }
        }
        let part: Result<TemplatePart, Problem> =
            word.hasPrefix("{{") || word.hasPrefix("\"")
            ? .failure(
                Problem(
                    "'{{base64 \(word)}}': base64 takes a name (a var, data.COLUMN, env.NAME or an extracted value), not text; put the text in a var"
                ))
            : placeholder(word, scope: scope, encodeLiteral: encodeLiteral)
        return part.flatMap { inner in
            switch inner {
            case .variable(let index): return .success(.base64(.variable(index)))
            case .data(let index): return .success(.base64(.data(index)))
            case .extracted(let slot): return .success(.base64(.extracted(slot)))
            default:
                return .failure(
                    Problem("'{{base64 \(word)}}': base64 takes a var, data.COLUMN, env.NAME or an extracted value"))
            }
        }
    }

    private static func column(_ name: String, scope: TemplateScope) -> Result<TemplatePart, Problem> {
        guard let columns = scope.columns else {
            return .failure(Problem("'{{data.\(name)}}' needs a data file (add `data: { csv: FILE }`)"))
        }
        guard let index = columns.firstIndex(of: name) ?? (scope.acceptsAnyColumn ? 0 : nil) else {
            // Names the column and the file only: the file's header is its contents.
            return .failure(Problem("unknown CSV column '{{data.\(name)}}': \(scope.dataFile) has no column '\(name)'"))
        }
        return .success(.data(index))
    }
}

/// Accumulates template parts, merging adjacent literals so a renderer appends one run of bytes. The
/// literal being built stays in `pending` until a placeholder or `build` ends it: appending to it is
/// amortised O(1), where rewriting `parts.last` copied the whole literal each time (quadratic, seconds for
/// a large `json:` list).
struct TemplateBuilder {
    private var finished: [TemplatePart] = []
    private var pending: [UInt8] = []
    /// Bytes of literal text so far, for the body size cap.
    private(set) var literalBytes = 0

    /// Every part so far, the pending literal included.
    var parts: [TemplatePart] {
        pending.isEmpty ? finished : finished + [.literal(pending)]
    }

    mutating func appendLiteral(_ bytes: some Collection<UInt8>) {
        pending.append(contentsOf: bytes)
        literalBytes += bytes.count
    }

    mutating func appendLiteral(_ text: String) {
        appendLiteral(text.utf8)
    }

    mutating func append(_ part: TemplatePart) {
        if case .literal(let bytes) = part {
            appendLiteral(bytes)
            return
        }
        if !pending.isEmpty {
            finished.append(.literal(pending))
            pending = []
        }
        finished.append(part)
    }

    mutating func append(contentsOf parts: [TemplatePart]) {
        for part in parts { append(part) }
    }

    func build(escaping: Template.Escaping) -> Template {
        Template(parts: parts, escaping: escaping)
    }
}
