import Foundation
import Protocol
import Yams

/// Reads a scenario YAML file into a validated `Plan`, reporting every problem with file, line, column
/// and field. The format is described in the README's "Scenario file" section.
public enum ScenarioLoader {
    /// A request unanswered for this long fails with reason `timeout`, unless `timeout:` says otherwise.
    public static let defaultTimeout: Duration = .seconds(10)

    static let topLevelKeys = [
        "name", "host", "users", "spawn_rate", "duration", "wait", "timeout", "headers",
        "vars", "data", "on_start", "tasks", "thresholds", "rate", "max_in_flight",
        "stages", "warmup", "cookies", "follow_redirects", "auth", "http", "tls", "report",
    ]

    /// Parses and validates the scenario at `path`; a relative `data: { csv: … }` path is read from the
    /// scenario's folder.
    /// - Throws: `ScenarioErrors` listing every problem found, not just the first.
    /// `environment` is what `{{env.NAME}}` reads (a CLI passes its environment with `--var` values over it).
    public static func load(file path: String, environment: [String: String] = [:]) throws -> Plan {
        let yaml = try text(file: path)
        let folder = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        return try load(yaml: yaml, file: path, baseDirectory: folder.isEmpty ? "/" : folder, environment: environment)
    }

    /// The scenario file's text, read by `ScenarioFiles`' rules (a FIFO or device refused by its type,
    /// the size checked first) and checked for bytes a scenario cannot hold, located by line:col.
    /// `run`, `validate` and `start` read a scenario only through here.
    /// - Throws: `ScenarioErrors` with the one problem.
    public static func text(file path: String) throws(ScenarioErrors) -> String {
        let bytes: [UInt8]
        switch ScenarioFiles.readRegularFile(path, shownAs: path, limit: ScenarioLimits.maxScenarioBytes) {
        case .success(let data): bytes = [UInt8](data)
        case .failure(let error):
            throw ScenarioErrors(errors: [
                ScenarioError(
                    file: path, line: 0, column: 0, field: "",
                    message: "cannot read the scenario: \(error.reason)")
            ])
        }
        if let bad = ScenarioText.firstBadByte(in: bytes) {
            throw ScenarioErrors(errors: [
                ScenarioError(
                    file: path, line: bad.line, column: bad.column, field: "",
                    message: bad.message)
            ])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func tooLarge(_ bytes: Int) -> Problem {
        Problem("the scenario is \(bytes) bytes; at most \(ScenarioLimits.maxScenarioBytes) (4 MiB)")
    }

    /// Parses and validates scenario text; `file` names it in errors and gives the default `name`,
    /// `baseDirectory` is where relative CSV paths are read from.
    /// - Throws: `ScenarioErrors` listing every problem found, not just the first.
    public static func load(
        yaml: String, file: String, baseDirectory: String,
        environment: [String: String] = [:]
    ) throws -> Plan {
        try load(
            yaml: yaml, file: file, files: ScenarioFiles(.disk(directory: baseDirectory)), environment: environment)
    }

    /// Parses and validates scenario text whose data files come from `files` (a daemon passes the
    /// files sent with the scenario); `onRead` sees each file read, e.g. to forward it to workers.
    /// - Throws: `ScenarioErrors` listing every problem found, not just the first.
    /// `environment` is all `{{env.NAME}}` can read: a daemon passes the values its client sent, never its own environment.
    public static func load(
        yaml: String, file: String, files: ScenarioFiles, environment: [String: String] = [:],
        onRead: ((String, Data) -> Void)? = nil
    ) throws -> Plan {
        func refuse(line: Int, column: Int, field: String = "", _ message: String) -> ScenarioErrors {
            ScenarioErrors(errors: [
                ScenarioError(file: file, line: line, column: column, field: field, message: message)
            ])
        }
        let size = yaml.utf8.count
        if size > ScenarioLimits.maxScenarioBytes { throw refuse(line: 0, column: 0, tooLarge(size).message) }
        if let bad = ScenarioText.firstBadByte(in: yaml.utf8) {
            throw refuse(line: bad.line, column: bad.column, bad.message)
        }
        if let excess = AliasBudget.excess(in: yaml) {
            throw refuse(line: excess.line, column: excess.column, field: excess.field, excess.message)
        }
        let root: Node
        do {
            guard let document = try Yams.compose(yaml: yaml) else {
                throw ScenarioErrors(errors: [
                    ScenarioError(
                        file: file, line: 1, column: 1, field: "",
                        message: "the scenario is empty; it needs at least 'tasks:'")
                ])
            }
            root = document
        } catch let error as YamlError {
            throw ScenarioErrors(errors: [yamlError(error, file: file)])
        } catch let errors as ScenarioErrors {
            throw errors
        } catch {
            throw ScenarioErrors(errors: [
                ScenarioError(file: file, line: 0, column: 0, field: "", message: "invalid YAML: \(error)")
            ])
        }
        var reader = YAMLReader(file: file)
        reader.environment = environment
        let plan = reader.plan(
            root, defaultName: baseName(file), readData: { readCSV($0, from: files, onRead: onRead) })
        guard let plan, reader.errors.isEmpty else {
            // Stable, so problems on one line keep the order they were found in.
            let sorted = reader.errors.enumerated().sorted {
                ($0.element.line, $0.element.column, $0.offset) < ($1.element.line, $1.element.column, $1.offset)
            }
            throw ScenarioErrors(errors: sorted.map(\.element))
        }
        return plan
    }

    /// The file name without folder and extension: `examples/mixed-read.yaml` → `mixed-read`.
    static func baseName(_ path: String) -> String {
        let file = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = file.lastIndex(of: "."), dot != file.startIndex else { return file }
        return String(file[..<dot])
    }

    /// The file as text; its reading rules (regular files only, size checked first) are `ScenarioFiles`'.
    private static func readCSV(
        _ name: String, from files: ScenarioFiles,
        onRead: ((String, Data) -> Void)?
    ) -> Result<String, Problem> {
        switch files.read(name) {
        case .failure(let error):
            return .failure(Problem(error.description))
        case .success(let data):
            guard let text = String(validating: data, as: UTF8.self) else {
                return .failure(Problem("cannot read data file \(name): it is not UTF-8 text"))
            }
            onRead?(name, data)
            return .success(text)
        }
    }

    /// Yams reports where libyaml gave up; that place becomes the error's line and column. The one
    /// locator of every YAML loadd reads (scenarios and `loadd.yaml`).
    public static func yamlError(_ error: YamlError, file: String) -> ScenarioError {
        func located(_ mark: Mark, _ message: String, field: String = "") -> ScenarioError {
            ScenarioError(file: file, line: mark.line, column: mark.column, field: field, message: message)
        }
        func describe(_ problem: String, _ context: YamlError.Context?) -> String {
            let place = context.map { " (\($0.text) at line \($0.mark.line), column \($0.mark.column))" } ?? ""
            return "invalid YAML: \(problem)\(place)"
        }
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            return located(mark, describe(problem, context))
        case .duplicatedKeysInMapping(let duplicates, let context):
            let names = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return located(
                context.mark, "key \(names) appears more than once in the same mapping", field: duplicates.first ?? "")
        case .reader(let problem, let offset, _, let yaml):
            let before = offset.map { yaml.utf8.prefix($0) } ?? yaml.utf8.prefix(0)
            let line = before.filter { $0 == UInt8(ascii: "\n") }.count + 1
            return ScenarioError(
                file: file, line: offset == nil ? 0 : line, column: 0, field: "",
                message: "invalid YAML: \(problem)")
        default:
            return ScenarioError(file: file, line: 0, column: 0, field: "", message: "invalid YAML: \(error)")
        }
    }
}

extension Plan {
    /// True when some request is a path that needs `host`; a CLI should refuse an empty host then.
    public var hasRelativeRequests: Bool {
        requests.contains { !$0.targetIsAbsolute }
    }
}
