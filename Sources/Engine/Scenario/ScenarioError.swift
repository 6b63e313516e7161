/// One problem in a scenario file, located well enough for a user to fix it without searching:
/// `mixed-read.yaml:7:5: tasks[2].weight: must be at least 1, got 0`.
public struct ScenarioError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The scenario file as the user named it.
    public var file: String
    /// 1-based; 0 when the problem has no place in the file (the file cannot be read).
    public var line: Int
    /// 1-based, counted in Unicode scalars like libyaml; 0 when unknown.
    public var column: Int
    /// Dotted path of the offending value, e.g. `tasks[2].weight`; empty for file-level problems.
    public var field: String
    public var message: String

    public init(file: String, line: Int, column: Int, field: String, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.field = field
        self.message = message
    }

    /// `FILE:LINE:COL: FIELD: MESSAGE`, leaving out the parts that are unknown.
    public var description: String {
        var text = file
        if line > 0 { text += ":\(line):\(column)" }
        if !field.isEmpty { text += ": \(field)" }
        return text + ": " + message
    }
}

/// Every problem found in one scenario, in file order, so a user fixes them in one pass.
public struct ScenarioErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [ScenarioError]

    public init(errors: [ScenarioError]) {
        self.errors = errors
    }

    /// One error per line.
    public var description: String {
        errors.map(\.description).joined(separator: "\n")
    }
}

/// A problem found by a helper that does not know where in the file it is; the reader adds the place.
struct Problem: Error, Equatable {
    var message: String
    init(_ message: String) { self.message = message }
}
