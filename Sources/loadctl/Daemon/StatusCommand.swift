import ArgumentParser
import Foundation
import Protocol
import Report

/// `loadctl status`: the node, its run and the live per-endpoint table.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show the daemon's state and the running test.")

    @Flag(name: .long, help: "Redraw once a second, fitted to the terminal, until interrupted.") var watch = false
    @OptionGroup var daemon: DaemonOptions

    func run() async throws {
        let client = daemon.client
        // The daemon offers no event stream, so --watch polls `GET /v1/status` once a second; the
        // daemon shares one snapshot among pollers (RunManager's snapshot cache).
        repeat {
            let status: NodeStatus = try withDaemon { try client.get("/v1/status") }
            if daemon.json {
                Console.json(status)
            } else if watch {
                let size = TerminalSize.current()
                // Home, each line cleared to its end, then the rest of the screen: no flicker, no scroll.
                let frame = WatchScreen.render(status, rows: size.rows, columns: size.columns)
                Console.write("\u{1B}[H" + frame.map { $0 + "\u{1B}[K" }.joined(separator: "\n") + "\n\u{1B}[J")
            } else {
                Console.out(render(status))
            }
            if watch { try await Task.sleep(for: .seconds(1)) }
        } while watch
    }

    private func render(_ status: NodeStatus) -> String {
        var lines = [
            "node \(status.node) (\(status.role), loadd \(status.version)); open files \(status.openFilesLimit), "
                + "room for \(status.maxUsers) users" + (status.workers.map { "; \($0) workers" } ?? "")
        ]
        if let compiling = status.compiling { lines.append("compiling \(compiling) for a new run") }
        guard let run = status.run else { return (lines + ["idle: no run yet"]).joined(separator: "\n") }
        lines.append(
            "run \(run.id): \(run.state.rawValue) — \(run.scenario) → \(run.host), \(run.users) users, "
                + "started \(Console.utc(run.startedAt)) UTC")
        if let resumes = status.summary?.resumes, let last = resumes.last {
            // A run a restarted loadd carried on: the gap is in its history, not zeros.
            let gap = (resumes.reduce(0) { $0 + $1.gapS } * 10).rounded() / 10
            lines.append(
                "resumed after \(resumes.count) restart\(resumes.count == 1 ? "" : "s") of loadd: last saved "
                    + "\(Console.utc(last.restartedAt)) UTC, going again since \(Console.utc(last.resumedAt)) UTC; "
                    + "\(gap) s without load in all"
                    // A master's: how many of the run's workers rejoined after its last restart.
                    + (last.workersBack.map { "; \($0) worker\($0 == 1 ? "" : "s") back" } ?? ""))
        }
        guard let summary = status.summary else { return lines.joined(separator: "\n") }
        var table = SummaryTable.render(summary).components(separatedBy: "\n")
        if run.state == .running || run.state == .stopping, !table.isEmpty {
            // The table's last line is the verdict; mid-run it is only what was measured so far.
            table.removeLast()
            table.append(
                "so far: \(summary.passed ? "passing" : "failing") (the run is still going; the verdict comes at its end)"
            )
        }
        return (lines + table).joined(separator: "\n")
    }
}
