import Foundation
import Protocol
import Testing

/// A generator that cannot keep its schedule says so: `loadctl run` pinned by `taskset` to one CPU that a
/// busy loop started by the test also holds, with think times due faster than its share of that CPU lets
/// it serve them. Its requests leave late, the lag p99 passes the bound, and the run is flagged
/// generator-limited with the reason — while its CPU flag, which sees only its own share, may stay quiet.
@Suite(.serialized, .timeLimit(.minutes(3))) struct StarvedGeneratorTests {
    static let tools = SystemRequirement([
        SystemRequirement.commands(["taskset"], package: "util-linux"),
        SystemRequirement.commands(["nice"], package: "coreutils"),
        SystemRequirement.commands(["bash"], package: "bash"),
    ])

    /// The last CPU this process may run on (`Cpus_allowed_list` of /proc/self/status, e.g. `0-1` or `0,2`).
    static func lastAllowedCPU() throws -> Int {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("Cpus_allowed_list:") })
        let list = line.dropFirst("Cpus_allowed_list:".count).trimmingCharacters(in: .whitespaces)
        let last = try #require(list.split(separator: ",").last?.split(separator: "-").last)
        return try #require(Int(last))
    }

    @Test(.enabled(if: tools.met, tools.reason))
    func anEngineThreadStarvedOfItsCPUIsFlaggedGeneratorLimitedWithTheReason() throws {
        let fixture = try DaemonFixture()
        let target = try TargetProcess(directory: fixture.directory)
        let cpu = try Self.lastAllowedCPU()
        // The hog: a bash busy loop on that CPU, run directly (taskset execs bash, so its release's SIGKILL
        // reaches the loop itself) and ending by itself after 120 s should this test die first. Not `timeout`:
        // children inherit this process's blocked SIGTERM, so the loop would outlive a polite stop.
        // Two of them: with one, the engine at nice 10 still got a third of the CPU in some runs of the
        // whole suite and kept its schedule, so the flag it is about did not show.
        let hogs = try (0..<2).map { n in
            try ChildProcess(
                "/usr/bin/env", ["taskset", "-c", "\(cpu)", "bash", "-c", "while (( SECONDS < 120 )); do :; done"],
                outputPath: "\(fixture.directory)/hog\(n).log")
        }
        defer { withExtendedLifetime(hogs) {} }   // killed when released
        let file = "\(fixture.directory)/starved.yaml"
        // 20 users with 1 ms think times ask for thousands of requests a second: more CPU than the engine
        // gets at nice 15 beside the two hogs (a few percent), so due times queue up behind the hog's slices.
        try """
        name: starved
        host: \(target.host)
        users: 20
        spawn_rate: 200
        duration: 3s
        wait: { constant: 1ms }
        tasks: [ { request: GET /Test/V2 } ]
        """.write(toFile: file, atomically: true, encoding: .utf8)
        let run = try ChildProcess(
            "/usr/bin/env",
            [
                "taskset", "-c", "\(cpu)", "nice", "-n", "15", DaemonBinaries.loadctl, "run", file,
                "--threads", "1", "--json", "--quiet",
            ],
            outputPath: "\(fixture.directory)/run.log")
        let status = try #require(run.waitForExit(timeout: .seconds(90)), "loadctl run did not finish: \(run.output)")
        #expect(hogs.allSatisfy { $0.process.isRunning }, "a hog ended early")
        let jsonStart = try #require(run.output.firstIndex(of: "{"), "\(run.output)")
        let summary = try JSONDecoder().decode(RunSummary.self, from: Data(run.output[jsonStart...].utf8))
        #expect(status == 0, "\(run.output.prefix(400))")
        #expect(summary.total.requests > 0)
        let lag = try #require(summary.total.lag)
        let reason = try #require(
            summary.generator.scheduleLagLimited,
            "not flagged: lag \(lag), latency median \(summary.total.medianMs) ms, cpu \(summary.generator)")
        #expect(lag.p99Ms > ScheduleLag.bound(latencyMedianMs: summary.total.medianMs))
        #expect(reason.hasPrefix("schedule lag p99 ") && reason.contains("add threads or nodes"), "\(reason)")
    }
}
