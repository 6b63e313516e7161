import Yams

/// A step's body and the Content-Type it implies (`nil`: leave the headers alone).
struct BodyPlan {
    var template: Template?
    var contentType: String?
}

extension YAMLReader {
    /// `headers: { Name: value }` as `Name: value` templates; `nil` after recording a problem.
    mutating func headers(_ node: Node, _ field: String, scope: TemplateScope) -> [(name: String, line: Template)]? {
        guard let entries = entries(of: node, field) else { return nil }
        var result: [(name: String, line: Template)] = []
        var valid = true
        for entry in entries {
            let path = "\(field).\(entry.key)"
            guard Self.isHeaderName(entry.key) else {
                fail(
                    at: entry.keyNode, path,
                    "'\(entry.key)' is not a valid header name (letters, digits and !#$%&'*+-.^_`|~ only)")
                valid = false
                continue
            }
            guard let text = scalarText(entry.value, path, expected: "a header value"),
                let parts = templateParts(entry.value.isNull ? "" : text, at: entry.value, path, scope: scope)
            else {
                valid = false
                continue
            }
            guard !text.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) else {
                fail(at: entry.value, path, "a header value cannot span lines")
                valid = false
                continue
            }
            var builder = TemplateBuilder()
            builder.appendLiteral("\(entry.key): ")
            builder.append(contentsOf: parts)
            result.append((entry.key, builder.build(escaping: .none)))
        }
        return valid ? result : nil
    }

    /// RFC 9110 token characters.
    static func isHeaderName(_ name: String) -> Bool {
        !name.isEmpty
            && name.unicodeScalars.allSatisfy {
                $0.isASCII
                    && ($0.properties.isAlphabetic || ("0"..."9").contains($0)
                        || "!#$%&'*+-.^_`|~".unicodeScalars.contains($0))
            }
    }

    /// `check: { status: 200 | [200, 201], body_contains: "text" }`.
    mutating func check(_ node: Node, _ field: String) -> Check? {
        guard let fields = mapping(node, field, known: Self.checkKeys) else { return nil }
        var check = Check.default
        var valid = true
        if let status = fields["status"] {
            let path = fields.path("status")
            let items: [Node]
            if case .sequence(let list) = status { items = Array(list) } else { items = [status] }
            if items.isEmpty { fail(at: status, path, "must list at least one status code"); valid = false }
            var codes: [Int] = []
            for item in items {
                guard let code = int(item, path, in: ScenarioLimits.status, outOfRange: "HTTP status codes are 100…599")
                else {
                    valid = false
                    continue
                }
                codes.append(code)
            }
            check.status = .oneOf(codes)
        }
        if let contains = fields["body_contains"] {
            if let text = string(contains, fields.path("body_contains")), !text.isEmpty {
                check.bodyContains = Array(text.utf8)
            } else {
                if case .scalar = contains, !contains.isNull {
                    fail(at: contains, fields.path("body_contains"), "must not be empty")
                }
                valid = false
            }
        }
        return valid ? check : nil
    }

    /// At most one of `form`, `json` and `body` (with an optional `content_type`).
    mutating func body(_ fields: Fields, scope: TemplateScope) -> BodyPlan? {
        let given = ["form", "json", "body"].filter { fields[$0] != nil }
        if given.count > 1 {
            for key in given.dropFirst() {
                fail(
                    at: fields.keyNode(key), fields.path(key),
                    "only one of form, json or body may be given (found \(given.joined(separator: " and ")))")
            }
            // Read each anyway so the problems inside them are reported in the same pass.
            _ = fields["form"].map { formBody($0, fields.path("form"), scope: scope) }
            _ = fields["json"].map { jsonBody($0, fields.path("json"), scope: scope) }
            _ = fields["body"].map { rawBody($0, fields.path("body"), scope: scope) }
            return nil
        }
        if fields["content_type"] != nil, given != ["body"] {
            fail(
                at: fields.keyNode("content_type"), fields.path("content_type"),
                "content_type goes with body; form and json set their own")
            return nil
        }
        if let form = fields["form"] {
            return formBody(form, fields.path("form"), scope: scope)
                .map { BodyPlan(template: $0, contentType: "application/x-www-form-urlencoded") }
        }
        if let json = fields["json"] {
            return jsonBody(json, fields.path("json"), scope: scope).map {
                BodyPlan(template: $0, contentType: "application/json")
            }
        }
        guard let raw = fields["body"] else { return BodyPlan(template: nil, contentType: nil) }
        let plainBody = self.rawBody(raw, fields.path("body"), scope: scope)
        var contentType: String?
        if let node = fields["content_type"] {
            guard let text = string(node, fields.path("content_type")) else { return nil }
            contentType = text
        }
        return plainBody.map { BodyPlan(template: $0, contentType: contentType) }
    }
}
