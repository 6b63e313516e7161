import ArgumentParser
import Engine
import Foundation
import Protocol
import Report

/// `loadctl start FILE`: start a run on the daemon; with `--wait`, follow it to its verdict.
struct StartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "start", abstract: "Start a test on the daemon.")

    @Argument(
        help: "Scenario file (YAML); it is sent to the daemon as text, with the data files it names.",
        completion: .file(extensions: ["yaml", "yml"]))
    var file: String
    @Flag(
        name: .customLong("remote-files"),
        help: "Send no data files: the daemon reads them from its data_dir: (never from anywhere else).")
    var remoteFiles = false
    @OptionGroup var overrides: LoadOverrideOptions
    @OptionGroup var vars: ScenarioVarOptions
    @Flag(name: .long, help: "Follow the run, print its report and exit with its verdict.") var wait = false
    @Option(
        name: .long,
        help: "With --wait: write Locust's four CSVs (PREFIX_stats.csv, …) and PREFIX_marks.csv if marked.",
        completion: .file())
    var csv: String?
    @Option(
        name: .long, help: "With --wait: write a self-contained HTML report to PATH.",
        completion: .file(extensions: ["html"])) var html: String?
    @OptionGroup var daemon: DaemonOptions

    func validate() throws {
        if !wait && (csv != nil || html != nil) {
            throw ValidationError(
                "--csv and --html write the finished run's report: add --wait (or use `loadctl report ID`)")
        }
    }

    func run() async throws {
        let text: String
        do {
            text = try ScenarioLoader.text(file: file)
        } catch {
            // The same reading rules and messages as `run` and `validate`.
            Console.err(error.errors.map { "loadctl: \($0)" }.joined(separator: "\n"))
            throw ExitCodes.badInput
        }
        // Absolute, so the daemon's messages name the file wherever it was started from.
        let absolute = file.hasPrefix("/") ? file : FileManager.default.currentDirectoryPath + "/" + file
        let sent = vars.sent(for: text)
        var request = StartRunRequest(
            scenario: text, file: absolute, overrides: overrides.overrides,
            files: remoteFiles ? nil : try bundle(text, file: absolute, environment: sent),
            remoteFiles: remoteFiles ? true : nil)
        request.vars = sent.isEmpty ? nil : sent
        request.secretVars = vars.secretNames.isEmpty ? nil : vars.secretNames
        let client = daemon.client
        let info: RunInfo = try withDaemon { try client.post("/v1/runs", body: request) }
        guard wait else {
            return daemon.json ? Console.json(info) : Console.out("\(info.id)")
        }
        Console.err("loadctl: run \(info.id) started: \(info.scenario) → \(info.host), \(info.users) users")
        let summary = try await follow(info.id, client: client)
        daemon.json ? Console.out(SummaryJSON.encode(summary)) : Console.out(SummaryTable.render(summary))
        try ReportFiles(csvPrefix: csv, htmlPath: html).write(summary)
        if !summary.passed { throw ExitCodes.runFailed }
    }

    /// The data files the scenario names, read here with the user's rights (the daemon reads no
    /// path a client names). Compiling the scenario finds them, and its errors show before anything
    /// is sent. - Throws: exit 2 for an invalid scenario, an unreadable file or a bundle over the cap.
    private func bundle(_ text: String, file: String, environment: [String: String]) throws -> [String: Data] {
        let folder = String(file[..<file.lastIndex(of: "/")!])
        var read: [String: Data] = [:]
        do {
            // Compiled with exactly what the daemon will have, so an unset {{env.X}} is refused here.
            _ = try ScenarioLoader.load(
                yaml: text, file: file, files: ScenarioFiles(.disk(directory: folder.isEmpty ? "/" : folder)),
                environment: environment
            ) {
                read[$0] = $1
            }
        } catch let errors as ScenarioErrors {
            let secrets = SecretValues(environment.values)
            Console.err(
                secrets.redact(
                    (["loadctl: scenario \(file) is not valid"] + errors.errors.map { "  \($0)" }).joined(
                        separator: "\n")))
            throw ExitCodes.badInput
        } catch {
            Console.err(SecretValues(environment.values).redact("loadctl: scenario \(file) is not valid: \(error)"))
            throw ExitCodes.badInput
        }
        let total = read.values.reduce(0) { $0 + $1.count }
        guard total <= ControlAPI.maxBundleBytes else {
            Console.err(
                "loadctl: the data files total \(total) bytes, more than the \(ControlAPI.maxBundleBytes)-byte "
                    + "limit for one run; put them in the daemon's data_dir: and use --remote-files")
            throw ExitCodes.badInput
        }
        return read
    }

    /// Polls once a second, printing the live line, until the run has a verdict.
    private func follow(_ id: RunID, client: DaemonClient) async throws -> RunSummary {
        while true {
            try await Task.sleep(for: .seconds(1))
            let status: NodeStatus = try withDaemon { try client.get("/v1/status") }
            guard let run = status.run, run.id == id, run.state == .running || run.state == .stopping else { break }
            if let live = status.summary, !daemon.json {
                Console.err(
                    LiveLine.render(
                        elapsed: live.durationS, users: live.users, total: live.total,
                        currentRps: live.total.currentRps,
                        failuresPerS: live.total.currentFailuresPerS ?? 0))
            }
        }
        return try withDaemon { try client.get("/v1/runs/\(id.rawValue)") }
    }
}
