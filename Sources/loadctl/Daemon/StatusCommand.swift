import ArgumentParser
import Foundation
import Protocol
import Report

/// `loadctl status`: the node, its run and the live per-endpoint table.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show the daemon's state and the running test.")

    @Flag(name: .long, help: "Refresh once a second until interrupted.") var watch = false
    @OptionGroup var daemon: DaemonOptions

    func run() async throws {
        let client = daemon.client
        repeat {
            let status: NodeStatus = try withDaemon { try client.get("/v1/status") }
            if daemon.json {
                Console.json(status)
            } else {
                Console.out((watch ? "\u{1B}[H\u{1B}[2J" : "") + render(status))
            }
            if watch { try await Task.sleep(for: .seconds(1)) }
        } while watch
    }

    private func render(_ status: NodeStatus) -> String {
        var lines = ["node \(status.node) (\(status.role), loadd \(status.version)); open files \(status.openFilesLimit), "
                     + "room for \(status.maxUsers) users" + (status.workers.map { "; \($0) workers" } ?? "")]
        if let compiling = status.compiling { lines.append("compiling \(compiling) for a new run") }
        guard let run = status.run else { return (lines + ["idle: no run yet"]).joined(separator: "\n") }
        lines.append("run \(run.id): \(run.state.rawValue) — \(run.scenario) → \(run.host), \(run.users) users, "
                     + "started \(Console.utc(run.startedAt)) UTC")
        if let summary = status.summary { lines.append(SummaryTable.render(summary)) }
        return lines.joined(separator: "\n")
    }
}
