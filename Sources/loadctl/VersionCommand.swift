import ArgumentParser
import Foundation
import Protocol

/// `loadctl version`: this client's version and, when it answers, the daemon's — like `kubectl version`,
/// so an operator sees a fleet node left on an old package before a run mixes versions.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version", abstract: "Show loadctl's version and the daemon's.",
        discussion: "Exits 3 when the daemon cannot be reached (the client's version is still printed); "
            + "--client skips the daemon.")

    @Flag(name: .long, help: "Show only loadctl's version; do not ask the daemon.") var client = false
    @OptionGroup var daemon: DaemonOptions

    /// The `--json` shape; `daemon` and `node` are absent when only the client was asked.
    struct Versions: Encodable {
        var client: String
        var daemon: String?
        var node: String?
    }

    func run() throws {
        var versions = Versions(client: LoaddVersion.current)
        defer {
            if daemon.json {
                Console.json(versions)
            } else {
                Console.out(
                    "loadctl \(versions.client)"
                        + (versions.daemon.map { "\nloadd \($0) (node \(versions.node ?? "?"))" } ?? ""))
            }
        }
        guard !client else { return }
        let status: NodeStatus = try withDaemon { try daemon.client.get("/v1/status") }
        versions.daemon = status.version
        versions.node = status.node.rawValue
    }
}
