import ArgumentParser
import Foundation
import Protocol
import Report

/// `loadctl users N`: move the running test to N users.
struct UsersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users", abstract: "Change the user count of the running test.")

    @Argument(help: "The new number of users.") var users: Int
    @Option(name: .long, help: "Users started or stopped per second (default: the scenario's).") var spawnRate: Double?
    @OptionGroup var daemon: DaemonOptions

    func validate() throws {
        if users < 0 { throw ValidationError("users must be 0 or more") }
        if let spawnRate, !(spawnRate > 0) { throw ValidationError("--spawn-rate must be more than 0") }
    }

    func run() throws {
        let info: RunInfo = try withDaemon {
            try daemon.client.post("/v1/runs/current/users", body: SetUsersRequest(users: users, spawnRate: spawnRate))
        }
        daemon.json ? Console.json(info) : Console.out("run \(info.id): moving to \(users) users")
    }
}

/// `loadctl rate R`: change the arrival rate of the running open-model test.
struct RateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rate", abstract: "Change the arrival rate of the running open-model test.")

    @Argument(help: "Iterations started per second.") var rate: Double
    @OptionGroup var daemon: DaemonOptions

    func validate() throws {
        if !(rate >= 0) || !rate.isFinite { throw ValidationError("rate must be 0 or more") }
    }

    func run() throws {
        let info: RunInfo = try withDaemon {
            try daemon.client.post("/v1/runs/current/rate", body: SetRateRequest(rate: rate))
        }
        daemon.json ? Console.json(info) : Console.out("run \(info.id): arrival rate now \(rate)/s")
    }
}

/// `loadctl reset`: zero the statistics; users keep running.
struct ResetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset", abstract: "Zero the running test's statistics without stopping users.")

    @OptionGroup var daemon: DaemonOptions

    func run() throws {
        let info: RunInfo = try withDaemon { try daemon.client.post("/v1/runs/current/reset") }
        daemon.json ? Console.json(info) : Console.out("run \(info.id): statistics reset")
    }
}

/// `loadctl stop`: end the running test; its results are kept.
struct StopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop", abstract: "Stop the running test (results are kept).")

    @OptionGroup var daemon: DaemonOptions

    func run() throws {
        let info: RunInfo = try withDaemon { try daemon.client.post("/v1/runs/current/stop") }
        daemon.json ? Console.json(info) : Console.out("run \(info.id): stopping")
    }
}

/// `loadctl runs`: the runs the daemon keeps, newest first (`runs list`, the default), and removing them.
struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs", abstract: "List, remove or prune stored runs.",
        subcommands: [RunsListCommand.self, RunsRemoveCommand.self, RunsPruneCommand.self],
        defaultSubcommand: RunsListCommand.self)
}

/// `loadctl runs rm ID…`: remove stored runs; the running one is refused (exit 4).
struct RunsRemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm", abstract: "Remove stored runs (never the running one).")

    @Argument(help: "Run ids (see `loadctl runs`).", completion: RunIDs.completion) var ids: [String]
    @OptionGroup var daemon: DaemonOptions

    func validate() throws {
        if ids.isEmpty { throw ValidationError("name at least one run id (see `loadctl runs`)") }
    }

    func run() throws {
        var removed: [RunID] = []
        for id in ids {
            let answer: RemovedRuns = try withDaemon { try daemon.client.delete("/v1/runs/\(id)") }
            removed += answer.removed
            if !daemon.json {
                for run in answer.removed { Console.out("removed \(run)") }
            }
        }
        if daemon.json { Console.json(RemovedRuns(removed: removed)) }
    }
}

/// `loadctl runs prune`: apply the daemon's retention policy (`keep_runs:`, `keep_days:`) now.
struct RunsPruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune", abstract: "Remove the runs the retention policy (keep_runs, keep_days) no longer keeps.")

    @OptionGroup var daemon: DaemonOptions

    func run() throws {
        let answer: RemovedRuns = try withDaemon { try daemon.client.post("/v1/runs/prune") }
        if daemon.json { return Console.json(answer) }
        for run in answer.removed { Console.out("removed \(run)") }
        Console.out(
            "\(answer.removed.count) run\(answer.removed.count == 1 ? "" : "s") removed (\(answer.policy ?? "policy"))")
    }
}

/// `loadctl runs list`: the runs the daemon keeps, newest first.
struct RunsListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List past and current runs.")

    @Flag(
        name: [.customShort("q"), .long],
        help: "Print only the run ids, newest first (for scripts and shell completion).")
    var quiet = false
    @OptionGroup var daemon: DaemonOptions

    func run() throws {
        let runs: [RunInfo] = try withDaemon { try daemon.client.get("/v1/runs") }
        if daemon.json { return Console.json(runs) }
        if quiet {
            for run in runs { Console.out(run.id.rawValue) }
            return
        }
        guard !runs.isEmpty else { return Console.out("no runs yet") }
        var rows = [["ID", "STATE", "SCENARIO", "USERS", "REQUESTS", "FAILURES", "STARTED (UTC)"]]
        for run in runs {
            rows.append([
                run.id.rawValue, run.state.rawValue, run.scenario, "\(run.users)", "\(run.requests)",
                "\(run.failures)", Console.utc(run.startedAt),
            ])
        }
        Console.out(Console.columns(rows))
        // A damaged run's reason does not fit a column; it follows the table.
        for run in runs where run.state == .damaged {
            Console.out("run \(run.id) is damaged: \(run.damage ?? "its files cannot be read")")
        }
    }
}

/// `loadctl report ID`: a finished (or running) run's report.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Show a run's report, as a table, JSON, Locust CSVs or an HTML page.")

    @Argument(help: "Run id (see `loadctl runs`).", completion: RunIDs.completion) var id: String
    @Option(
        name: .long,
        help:
            "Write ID_stats.csv, ID_stats_history.csv, ID_failures.csv, ID_exceptions.csv (and ID_marks.csv) into this folder.",
        completion: .directory) var csv: String?
    @Option(
        name: .long, help: "Write a self-contained HTML report (tables and per-second charts, no JavaScript) to PATH.",
        completion: .file(extensions: ["html"])) var html: String?
    @OptionGroup var daemon: DaemonOptions

    func run() throws {
        let summary: RunSummary = try withDaemon { try daemon.client.get("/v1/runs/\(id)") }
        let files = ReportFiles(csvPrefix: csv.map { "\($0)/\(id)" }, htmlPath: html)
        if !files.isEmpty {
            let wrote = try files.write(summary)
            Console.out("wrote " + wrote.joined(separator: ", "))
        } else if daemon.json {
            Console.out(SummaryJSON.encode(summary))
        } else {
            Console.out(SummaryTable.render(summary))
        }
    }
}

/// Run ids for shell completion: the completing shell asks the daemon (`loadctl runs -q`); with no daemon
/// reachable nothing is offered and the error is hidden, as a completion must never print.
enum RunIDs {
    static let completion = CompletionKind.shellCommand("loadctl runs -q 2>/dev/null")
}
