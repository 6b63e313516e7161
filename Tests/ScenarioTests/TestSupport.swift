@testable import Engine

/// The repository root, found from this file's place so tests run from any working directory.
let repositoryRoot: String = {
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)   // Tests/ScenarioTests/TestSupport.swift
    return parts.joined(separator: "/")
}()

let examplesFolder = repositoryRoot + "/examples"

/// Loads scenario text as if it were `test.yaml` in `examples/`, so `users.csv` is found.
func loadScenario(_ yaml: String) throws -> Plan {
    try ScenarioLoader.load(yaml: yaml, file: "test.yaml", baseDirectory: examplesFolder)
}

/// The errors loading `yaml` gives; empty when it loads.
func scenarioErrors(_ yaml: String) -> [ScenarioError] {
    do {
        _ = try loadScenario(yaml)
        return []
    } catch let errors as ScenarioErrors {
        return errors.errors
    } catch {
        return [ScenarioError(file: "?", line: -1, column: -1, field: "?", message: "unexpected \(error)")]
    }
}

/// A template written back as text, placeholders shown as `{{…}}`, for readable expectations.
func show(_ template: Template?) -> String {
    guard let template else { return "<none>" }
    return template.parts.map { part -> String in
        switch part {
        case .literal(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .uuid: return "{{uuid}}"
        case .now: return "{{now}}"
        case .nowMillis: return "{{now_ms}}"
        case .randomInt(let low, let high): return "{{random_int \(low) \(high)}}"
        case .variable(let index): return "{{var#\(index)}}"
        case .data(let index): return "{{data#\(index)}}"
        case .extracted(let slot): return "{{extracted#\(slot)}}"
        case .base64(let value): return "{{base64 \(value)}}"
        }
    }.joined()
}
