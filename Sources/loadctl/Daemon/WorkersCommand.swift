import ArgumentParser
import Foundation
import Protocol

/// `loadctl workers`: the fleet's workers, as the master sees them.
struct WorkersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workers", abstract: "List the workers connected to this master.",
        discussion: "Each worker's share of the running test, its rate and how long ago the master last heard from it.")

    @OptionGroup var daemon: DaemonOptions

    func run() throws {
        let workers: [WorkerInfo] = try withDaemon { try daemon.client.get("/v1/workers") }
        if daemon.json { return Console.json(workers) }
        guard !workers.isEmpty else {
            return Console.out(
                "no workers connected: start loadd on the load nodes with `role: worker` and "
                    + "`master:` set to this node's listen address")
        }
        var rows = [
            [
                "NODE", "ADDRESS", "VERSION", "CORES", "WEIGHT", "STATE", "USERS", "RATE", "REQ/S", "CPU", "LAST SEEN",
                "JOINED (UTC)",
            ]
        ]
        for worker in workers {
            rows.append([
                worker.node.rawValue, worker.address, worker.version, "\(worker.cores)",
                worker.weight.formatted(.number.precision(.fractionLength(0...2))),
                worker.activity.rawValue + (worker.problem.map { " (\($0.prefix { $0 != ":" }))" } ?? ""),
                "\(worker.users)", worker.rate.map { String(format: "%.1f/s", $0) } ?? "-",
                String(format: "%.1f", worker.rps), worker.cpu.map { String(format: "%.0f %%", $0 * 100) } ?? "-",
                String(format: "%.1fs ago", worker.lastSeenS),
                Console.utc(worker.joinedAt),
            ])
        }
        Console.out(Console.columns(rows))
        // A worker not delivering its share: why, and what happens to it.
        for worker in workers { if let problem = worker.problem { Console.out("\(worker.node): \(problem)") } }
    }
}
