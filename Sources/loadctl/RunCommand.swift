import ArgumentParser
import Engine
import Protocol

/// `loadctl run FILE`: a whole test in this process, no daemon, like `locust --headless`.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a scenario in-process and print the report (no daemon needed).")

    @Argument(help: "Scenario file (YAML).", completion: .file(extensions: ["yaml", "yml"]))
    var file: String

    @OptionGroup var overrides: LoadOverrideOptions
    @OptionGroup var vars: ScenarioVarOptions

    @Option(name: .long, help: "Engine threads (default: one per core).")
    var threads: Int = EngineOptions.defaultThreads

    @Flag(name: .long, help: "Print the summary as JSON instead of the table.")
    var json = false

    @Option(
        name: .long,
        help:
            "Write Locust's PREFIX_stats.csv, PREFIX_stats_history.csv, PREFIX_failures.csv and PREFIX_exceptions.csv.",
        completion: .file())
    var csv: String?

    @Option(
        name: .long, help: "Write a self-contained HTML report (tables and per-second charts, no JavaScript) to PATH.",
        completion: .file(extensions: ["html"]))
    var html: String?

    @Flag(name: .shortAndLong, help: "No banner and no live line.")
    var quiet = false

    func run() async throws {
        var plan: Plan
        do {
            plan = try ScenarioLoader.load(file: file, environment: vars.environment)
        } catch {
            Console.err(vars.secrets(file: file).redact("\(error)"))
            throw ExitCodes.badInput
        }
        overrides.apply(to: &plan)
        if plan.host.isEmpty && plan.requests.contains(where: { !$0.targetIsAbsolute }) {
            Console.err("\(file): host: no host given: set `host:` in the scenario or pass --host URL")
            throw ExitCodes.badInput
        }
        let summary = try await LocalRun(
            plan: plan, threads: max(1, threads), json: json,
            files: ReportFiles(csvPrefix: csv, htmlPath: html), quiet: quiet
        ).execute()
        if !summary.passed { throw ExitCodes.runFailed }
    }
}
