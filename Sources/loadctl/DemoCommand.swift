import ArgumentParser
import Engine
import Protocol
import TargetServer

/// `loadctl demo`: a real test, end to end, against the built-in target on loopback.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Start the built-in target on 127.0.0.1 and run the seed scenario against it.")

    @Option(name: .long, help: "How long to run (default 15s).")
    var duration: String = "15s"

    @Option(name: .long, help: "Virtual users (default 50).")
    var users: Int = 50

    @Option(name: .long, help: "Engine threads (default: one per core).")
    var threads: Int = EngineOptions.defaultThreads

    @Option(name: .long, help: "Share of requests the target delays, e.g. 0.01 for 1%.")
    var slowFraction: Double = 0.01

    @Option(name: .long, help: "Added delay of the slow requests, e.g. 50ms.")
    var slowDelay: String = "50ms"

    @Flag(name: .long, help: "Speak HTTP/2 (h2c, prior knowledge) to the target instead of HTTP/1.1.")
    var http2 = false

    @Flag(name: .long, help: "Print the summary as JSON instead of the table.")
    var json = false

    @Option(
        name: .long, help: "Write a self-contained HTML report (tables and per-second charts, no JavaScript) to PATH.",
        completion: .file(extensions: ["html"]))
    var html: String?

    @Flag(name: .shortAndLong, help: "No banner and no live line.")
    var quiet = false

    func run() async throws {
        guard let runFor = DurationParser.parse(duration) else {
            throw ValidationError("--duration '\(duration)' is not a duration (examples: 15s, 1m)")
        }
        guard let slow = DurationParser.parse(slowDelay) else {
            throw ValidationError("--slow-delay '\(slowDelay)' is not a duration (examples: 50ms, 1s)")
        }
        var config = TargetConfig()
        config.slowFraction = slowFraction
        config.slowDelay = slow
        let target = try await TargetServer.start(config)
        var plan = try ScenarioLoader.load(yaml: DemoScenario.yaml, file: "<demo>", baseDirectory: ".")
        plan.host = target.baseURL
        plan.users = users
        plan.spawnRate = Double(max(1, users / 2))
        plan.duration = runFor
        if http2 { plan.transport.http = .http2 }
        if !quiet {
            Console.err(
                "loadctl demo: built-in target at \(target.baseURL) (\(Int(slowFraction * 100))% of requests +\(slowDelay))"
            )
        }
        let summary = try await LocalRun(
            plan: plan, threads: max(1, threads), json: json,
            files: ReportFiles(htmlPath: html), quiet: quiet
        ).execute()
        if http2 && !quiet {
            let seen = target.protocolStats()
            Console.err(
                "loadctl demo: the target answered \(seen.http2Requests) requests over HTTP/2 "
                    + "on \(seen.http2Connections) connections")
        }
        try await target.stop()
        if !summary.passed { throw ExitCodes.runFailed }
    }
}
