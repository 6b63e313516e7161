import Foundation
import Glibc
import Protocol
import TestSupport
import Testing

extension DaemonTests {
    /// Run retention with the real daemon: `keep_runs:` trims a store that outgrew it (oldest first),
    /// `loadctl runs prune` and `runs rm` remove on request, and the running run is never removed.
    @Suite struct Retention {
        /// A run id for `seconds` (UTC) as loadd makes them, with `suffix` as its random part.
        static func runID(_ seconds: Int, suffix: Int) -> String {
            var time = seconds
            var parts = tm()
            gmtime_r(&time, &parts)
            return String(
                format: "%04d%02d%02d-%02d%02d%02d-%04x", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                parts.tm_hour, parts.tm_min, parts.tm_sec, suffix)
        }

        /// Finished runs written straight into the store, in RunStore's layout; ids oldest first.
        static func writeRuns(_ count: Int, into stateDir: String, endingBefore now: Int) throws -> [String] {
            let root = stateDir + "/runs"
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            var ids: [String] = []
            for index in 0..<count {
                let started = now - 3_600 - (count - index) * 60
                let id = runID(started, suffix: index)
                try FileManager.default.createDirectory(atPath: "\(root)/\(id)", withIntermediateDirectories: false)
                try "name: stored\n".write(toFile: "\(root)/\(id)/scenario.yaml", atomically: true, encoding: .utf8)
                let info = RunInfo(
                    id: RunID(rawValue: id), scenario: "stored", host: "http://127.0.0.1:1", state: .passed,
                    startedAt: started, endedAt: started + 10, users: 1, requests: 10, failures: 0)
                try encoder.encode(info).write(to: URL(fileURLWithPath: "\(root)/\(id)/run.json"))
                ids.append(id)
            }
            return ids
        }

        @Test func keepRunsTrimsTheStoreOldestFirstAndNeverRemovesTheRunningRun() throws {
            let fixture = try DaemonFixture()
            let config = "\(fixture.directory)/loadd.yaml"
            try "keep_runs: 200\nkeep_days: 30\n".write(toFile: config, atomically: true, encoding: .utf8)
            let now = Int(time(nil))
            let stored = try Self.writeRuns(250, into: fixture.stateDir, endingBefore: now)
            try fixture.startDaemon(["--config", config])
            try eventually("the store trimmed to 200 runs") {
                try fixture.get("/v1/runs").decode([RunInfo].self).count == 200
            }
            let kept = try fixture.get("/v1/runs").decode([RunInfo].self).map(\.id.rawValue)
            #expect(Set(kept) == Set(stored.suffix(200)), "the 50 oldest go")
            let log = try String(contentsOfFile: "\(fixture.directory)/loadd-1.log", encoding: .utf8)
            #expect(log.contains("run removed") && log.contains(stored[0]), "each removal is logged")

            // A running run counts toward keep_runs and is never removed, even when it is all the policy keeps.
            let target = try TargetProcess(directory: fixture.directory)
            let started = try fixture.startRun(target.scenario(users: 1))
            #expect(started.status == 201)
            let running = try started.decode(RunInfo.self).id.rawValue
            let pruned = try fixture.loadctl(["runs", "prune"])
            #expect(pruned.status == 0, "\(pruned.output)")
            #expect(pruned.output.contains("removed \(stored[50])"), "\(pruned.output)")
            #expect(pruned.output.contains("1 run removed (keep_runs 200, keep_days 30)"), "\(pruned.output)")
            #expect(try fixture.get("/v1/runs").decode([RunInfo].self).count == 200)

            try "keep_runs: 1\n".write(toFile: config, atomically: true, encoding: .utf8)
            fixture.daemon?.signal(SIGHUP)
            try eventually("the reloaded policy to keep only the running run") {
                let answer = try fixture.loadctl(["runs", "prune"])
                let left = try fixture.get("/v1/runs").decode([RunInfo].self).map(\.id.rawValue)
                return answer.status == 0 && answer.output.contains("keep_runs 1,") && left == [running]
            }

            // runs rm: the running run is refused (4), a stored one removed (0), an unknown one is bad input (2).
            let refused = try fixture.loadctl(["runs", "rm", running])
            #expect(refused.status == 4, "\(refused.output)")
            #expect(refused.output.contains("loadctl: refused: loadd: run \(running) is running"), "\(refused.output)")
            #expect(try fixture.loadctl(["runs", "rm", "20000101-000000-0000"]).status == 2)
            // Runs that appear behind the daemon's back go at the end of the next run, in the same step as its verdict.
            let late = try Self.writeRuns(3, into: fixture.stateDir, endingBefore: now - 86_400)
            #expect(try fixture.get("/v1/runs").decode([RunInfo].self).count == 4)
            _ = try fixture.loadctl(["stop"])
            try eventually("the run's verdict") { try fixture.status().run?.state == .passed }
            #expect(try fixture.get("/v1/runs").decode([RunInfo].self).map(\.id.rawValue) == [running], "\(late) stay")
            let removed = try fixture.loadctl(["runs", "rm", running])
            #expect(removed.status == 0, "\(removed.output)")
            #expect(removed.output.contains("removed \(running)"), "\(removed.output)")
            #expect(try fixture.get("/v1/runs").decode([RunInfo].self).isEmpty)
            #expect(fixture.stopDaemon() == 0)
        }

        @Test func retentionKeysAreCheckedWithTheirLineAndOffTurnsALimitOff() throws {
            let fixture = try DaemonFixture()
            let config = "\(fixture.directory)/loadd.yaml"
            try "keep_days: off\nkeep_runs: -3\n".write(toFile: config, atomically: true, encoding: .utf8)
            let child = try fixture.startDaemon(["--config", config], waitUntilServing: false)
            let status = child.waitForExit()
            #expect(status != nil && status != 0)
            #expect(!child.output.contains("keep_days"), "off is a valid keep_days: \(child.output)")
            #expect(
                child.output.contains("loadd.yaml:2:")
                    && child.output.contains("keep_runs: expected a whole number of runs from 0 to 1000000"),
                "\(child.output)")
        }
    }
}
