import Foundation

/// A simulated fleet against a real master: `--workers` protocol-level fake workers in this one
/// process, each on its own TCP connection, stream one-second stats of `--endpoints` endpoints.
/// Prints the master's CPU share and memory over the steady stream, the delay from a second's last
/// report to the master's merged view, and a verdict against the CPU target. `bench/fleet.sh`
/// starts the master and the run around it.
///
/// Exit status: 0 pass, 1 over the CPU target or measurement invalid, 2 could not run, 64 usage.
@main
enum FleetBench {
    static func main() async {
        let options: Options
        do {
            options = try Options.parse(Array(CommandLine.arguments.dropFirst()))
        } catch {
            log("\(error)\n\(Options.usage)")
            exit(64)
        }
        do {
            let results = try await Bench(options: options).run()
            print(results.render())
            exit(results.passed ? 0 : 1)
        } catch {
            log("\(error)")
            exit(2)
        }
    }
}
