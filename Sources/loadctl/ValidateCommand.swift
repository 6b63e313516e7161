import ArgumentParser
import Engine
import Protocol

/// `loadctl validate FILE`: every problem in a scenario, each with file, line and field.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a scenario file and report every error with file, line and field.")

    @Argument(help: "Scenario file (YAML).", completion: .file(extensions: ["yaml", "yml"]))
    var file: String
    @OptionGroup var vars: ScenarioVarOptions

    func run() throws {
        do {
            let plan = try ScenarioLoader.load(file: file, environment: vars.environment)
            let tasks = plan.tasks.count
            Console.out(
                "\(file): OK — \(plan.endpoints.count) endpoints, \(tasks) task\(tasks == 1 ? "" : "s"), "
                    + "\(plan.loadDescription), \(plan.thresholds.count) thresholds")
        } catch {
            Console.err(vars.secrets(file: file).redact("\(error)"))
            throw ExitCodes.badInput
        }
    }
}
