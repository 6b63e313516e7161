import ArgumentParser
import Engine
import Glibc
import TargetServer

/// `loadctl target`: the built-in target alone, with knobs for latency and errors, so a test
/// knows the truth it should measure.
struct TargetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "target",
        abstract: "Serve the built-in HTTP target (/Test/V1…V4, /login, /metrics) until interrupted.")

    @Option(name: .long, help: "Address to listen on, HOST:PORT.")
    var listen: String = "127.0.0.1:8089"

    @Option(name: .long, help: "Event-loop threads.")
    var threads: Int = 1

    @Option(name: .long, help: "Fixed delay added to every response, e.g. 5ms.")
    var delay: String = "0ms"

    @Option(name: .long, help: "Share of responses delayed further, e.g. 0.01 for 1%.")
    var slowFraction: Double = 0

    @Option(name: .long, help: "Extra delay of the slow responses, e.g. 50ms.")
    var slowDelay: String = "0ms"

    @Option(name: .long, help: "Share of responses answered with --error-status, e.g. 0.05.")
    var errorFraction: Double = 0

    @Option(name: .long, help: "Status code of the failing responses.")
    var errorStatus: Int = 500

    @OptionGroup var tls: TargetTLSOptions

    func run() async throws {
        let (host, port) = try TargetServer.parseListen(listen)
        guard let fixed = DurationParser.parse(delay), let slow = DurationParser.parse(slowDelay) else {
            throw ValidationError("--delay and --slow-delay take durations such as 5ms or 1s")
        }
        guard (0...1).contains(slowFraction), (0...1).contains(errorFraction) else {
            throw ValidationError("--slow-fraction and --error-fraction are shares between 0 and 1")
        }
        var config = TargetConfig()
        config.host = host
        config.port = port
        config.threads = max(1, threads)
        config.delay = fixed
        config.slowFraction = slowFraction
        config.slowDelay = slow
        config.errorFraction = errorFraction
        config.errorStatus = errorStatus
        let server = try await TargetServer.start(config, tls: try tls.settings())
        Console.out(
            "loadctl target: serving \(server.baseURL) over HTTP/1.1 and HTTP/2 (GET /Test/V1…V4, POST /login, POST /metrics, GET /stats, POST /control)"
        )
        let signals = SignalEvents([SIGINT, SIGTERM])
        for await _ in signals.events { break }
        signals.cancel()
        try await server.stop()
    }
}
