import ArgumentParser
import Engine
import Foundation
import Protocol

/// `--var NAME=VALUE` (k6's `-e`) and `--secret-var NAME=VALUE`, shared by `run`, `start` and
/// `validate`: values `{{env.NAME}}` reads before the environment, so secrets stay out of the YAML.
/// Every value is kept secret (shown as `***`); `--secret-var` names it so in the start request too.
struct ScenarioVarOptions: ParsableArguments {
    @Option(
        name: .customLong("var"), parsing: .singleValue,
        help: ArgumentHelp(
            "Set {{env.NAME}} for this run (repeatable); it wins over the environment.",
            valueName: "NAME=VALUE"))
    var assignments: [String] = []

    @Option(
        name: .customLong("secret-var"), parsing: .singleValue,
        help: ArgumentHelp(
            "Like --var, and marked secret in the start request (repeatable); never shown, '***' instead.",
            valueName: "NAME=VALUE"))
    var secretAssignments: [String] = []

    /// The values given, the last of a name winning (a `--secret-var` over a `--var` of that name).
    var values: [String: String] {
        var values: [String: String] = [:]
        for text in assignments + secretAssignments {
            if let (name, value) = ScenarioVars.parse(text) { values[name] = value }
        }
        return values
    }

    /// The names given with `--secret-var`.
    var secretNames: [String] {
        Set(secretAssignments.compactMap { ScenarioVars.parse($0)?.name }).sorted()
    }

    func validate() throws {
        for (flag, texts) in [("--var", assignments), ("--secret-var", secretAssignments)] {
            // The value is never echoed: a mistyped flag may be all value.
            for text in texts where ScenarioVars.parse(text) == nil {
                throw ValidationError(
                    "\(flag) \(SecretValues.maskAssignment(text)): expected NAME=VALUE, NAME being letters, digits and _, not starting with a digit"
                )
            }
        }
        if let problem = ScenarioVars.problems(values, field: "--var").first { throw ValidationError(problem) }
    }

    /// What `{{env.NAME}}` reads when this process compiles the scenario: its environment, `--var` over it.
    var environment: [String: String] {
        ProcessInfo.processInfo.environment.merging(values) { _, flag in flag }
    }

    /// What `start` sends the daemon: every `--var`, and from this process's environment the values of
    /// the `env.NAME`s the scenario names (never the rest of the environment).
    func sent(for scenario: String) -> [String: String] {
        var sent = values
        let environment = ProcessInfo.processInfo.environment
        for name in ScenarioVars.environmentNames(in: scenario) where sent[name] == nil {
            if let value = environment[name] { sent[name] = value }
        }
        return sent
    }

    /// The values a message about `scenario` must not show: every var, and every `{{env.NAME}}` it reads.
    func secrets(for scenario: String) -> SecretValues { SecretValues(sent(for: scenario).values) }

    /// `secrets(for:)` of the scenario in `file` (only the flags' values when it cannot be read).
    func secrets(file: String) -> SecretValues {
        secrets(for: (try? String(contentsOfFile: file, encoding: .utf8)) ?? "")
    }
}
