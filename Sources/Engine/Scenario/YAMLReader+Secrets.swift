import Yams

extension YAMLReader {
    /// `data: { secret: [COLUMN, …] }` (or one name): columns whose cells are never shown (see
    /// `Plan.secrets`). Each must be a column of the file; the message names the scenario's text
    /// only, never the file's other columns.
    mutating func secretColumns(_ node: Node, in columns: [String], file: String) -> [Int]? {
        let items: [Node]
        if case .scalar = node, !node.isNull {
            items = [node]
        } else {
            guard let listed = sequence(node, "data.secret") else { return nil }
            items = listed
        }
        guard items.count <= columns.count else {
            fail(at: node, "data.secret", "\(items.count) names, but \(file) has \(columns.count) columns")
            return nil
        }
        var indexes: [Int] = []
        var failed = false
        for (position, item) in items.enumerated() {
            let field = "data.secret[\(position)]"
            guard let name = string(item, field) else { failed = true; continue }
            guard let index = columns.firstIndex(of: name) else {
                fail(at: item, field, "'\(name.prefix(64))' is not a column of \(file) (the names of its first line)")
                failed = true
                continue
            }
            if !indexes.contains(index) { indexes.append(index) }
        }
        return failed ? nil : indexes
    }
}
