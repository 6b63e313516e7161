import ArgumentParser
import Engine

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

    func validate() throws {
        if let users, users < 0 { throw ValidationError("--users must be 0 or more") }
        if let spawnRate, !(spawnRate > 0) { throw ValidationError("--spawn-rate must be more than 0") }
        if let duration, DurationParser.parse(duration) == nil {
            throw ValidationError("--duration '\(duration)' is not a duration (examples: 30s, 5m, 1h30m)")
        }
        if let host, !(host.hasPrefix("http://") || host.hasPrefix("https://")) {
            throw ValidationError("--host must start with http:// or https://")
        }
        if let rate, !(rate > 0) { throw ValidationError("--rate must be more than 0") }
        if rate != nil && (users != nil || spawnRate != nil) {
            throw ValidationError("give --users/--spawn-rate (closed model) or --rate (open model), not both")
        }
    }

    func apply(to plan: inout Plan) {
        if let users {
            plan.users = users
            if spawnRate == nil && plan.spawnRate < 1 { plan.spawnRate = Double(max(1, users)) }
        }
        if let spawnRate { plan.spawnRate = spawnRate }
        if let duration { plan.duration = DurationParser.parse(duration) }
        if let host { plan.host = host.hasSuffix("/") ? String(host.dropLast()) : host }
        if let rate {
            plan.arrivalRate = rate
            plan.stages = []
        } else if users != nil && plan.isOpenModel {
            plan.arrivalRate = nil       // --users turns an open-model scenario into a closed one
            plan.stages = []
        }
    }
}
