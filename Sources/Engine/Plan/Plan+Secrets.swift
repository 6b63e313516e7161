import Protocol

extension DataFeed {
    /// The columns whose cells are secret, as `secretColumns` indexes them in `columns`.
    public var secretColumnNames: [String] { secretColumns.map { columns[$0] } }
}

extension Plan {
    /// The values this run must never show that the plan itself holds: every cell of a secret data
    /// column (`data: { secret: [...] }` and any column an `auth:` password reads, directly or
    /// through a var) and every literal `auth:` password. `{{env.NAME}}` values are not here: the
    /// node that compiled the plan has them (`StartRunRequest.secrets`, `Assignment.secrets`).
    /// Built when asked for, off the hot path.
    public var secrets: SecretValues {
        var columns = Set(data?.secretColumns ?? [])
        var literals: [String] = []
        func collect(_ template: Template, depth: Int) {
            for part in template.parts {
                switch part {
                // Only a password that is all literal: the text around a placeholder is not the secret.
                case .literal(let bytes) where template.isConstant:
                    literals.append(String(decoding: bytes, as: UTF8.self))
                case .data(let column), .base64(.data(let column)): columns.insert(column)
                case .variable(let index), .base64(.variable(let index)):
                    // A var cannot use another var, so one level is all there is.
                    if depth == 0, vars.indices.contains(index) { collect(vars[index].value, depth: 1) }
                default: break
                }
            }
        }
        for request in requests {
            if let password = request.session.basicAuth?.password { collect(password, depth: 0) }
        }
        var values = literals
        if let data {
            for row in data.rows {
                for column in columns where row.indices.contains(column) { values.append(row[column]) }
            }
        }
        return SecretValues(values)
    }
}
