import ArgumentParser
import Engine
import Foundation

/// `--var NAME=VALUE` (k6's `-e`), shared by `run`, `start` and `validate`: values `{{env.NAME}}`
/// reads before the environment, so secrets stay out of the YAML.
struct ScenarioVarOptions: ParsableArguments {
    @Option(name: .customLong("var"), parsing: .singleValue,
            help: ArgumentHelp("Set {{env.NAME}} for this run (repeatable); it wins over the environment.",
                               valueName: "NAME=VALUE"))
    var assignments: [String] = []

    /// The values given, the last of a name winning.
    var values: [String: String] {
        var values: [String: String] = [:]
        for text in assignments {
            if let (name, value) = ScenarioVars.parse(text) { values[name] = value }
        }
        return values
    }

    func validate() throws {
        for text in assignments where ScenarioVars.parse(text) == nil {
            throw ValidationError("--var \(text.prefix(80)): expected NAME=VALUE, NAME being letters, digits and _, not starting with a digit")
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
}
