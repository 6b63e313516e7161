import ArgumentParser
import Engine
import Foundation
import Protocol

/// The flags that override a scenario's load settings, shared by `run` and `start`.
struct LoadOverrideOptions: ParsableArguments {
    @Option(name: .long, help: "Number of virtual users (closed model).")
    var users: Int?

    @Option(name: .long, help: "Users started per second.")
    var spawnRate: Double?

    @Option(name: .long, help: "How long to run, e.g. 30s, 5m, 1h30m.")
    var duration: String?

    @Option(name: .long, help: "Base URL for relative request paths, e.g. http://127.0.0.1:8080.")
    var host: String?

    @Option(name: .long, help: "Open model: iterations started per second, whatever the target does.")
    var rate: Double?

    /// The same value the daemon receives, so both apply overrides through one function.
    var overrides: RunOverrides {
        RunOverrides(users: users, spawnRate: spawnRate, duration: duration, host: host, rate: rate)
    }

    func validate() throws {
        if let problem = overrides.problems().first {
            throw ValidationError(
                problem.replacingOccurrences(of: "overrides.", with: "--")
                    .replacingOccurrences(of: "spawn_rate", with: "spawn-rate"))
        }
    }

    func apply(to plan: inout Plan) {
        plan.apply(overrides)
    }
}
