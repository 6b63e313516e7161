import Foundation
import Glibc
import Protocol
import TestSupport
import Testing

extension DaemonTests {
    /// A run outlives the restart of its daemon (`resume_within:`): the same id, its original end
    /// time, the gap shown as a gap.
    @Suite struct Resume {
        /// 3 users waiting 10 ms: ~300 requests/s on one engine thread.
        private func scenario(_ target: TargetProcess, seconds: Int) -> String {
            target.scenario(users: 3, duration: "\(seconds)s", name: "resume-test")
        }

        /// The stored summary of `id` as the daemon last wrote it (what a crash leaves behind).
        private func storedRequests(_ fixture: DaemonFixture, _ id: RunID) throws -> UInt64 {
            let text = try String(contentsOfFile: "\(fixture.stateDir)/runs/\(id)/summary.json", encoding: .utf8)
            return try JSONDecoder().decode(RunSummary.self, from: Data(text.utf8)).total.requests
        }

        private func checkResumed(
            _ summary: RunSummary, _ info: RunInfo, startedAt: ContinuousClock.Instant,
            seconds: Int, endedAfter: Duration
        ) throws {
            #expect(summary.run == info.id)
            #expect(summary.passed, "\(summary.abortReason ?? "") \(summary.thresholds)")
            let gap = try #require(summary.resumes?.first, "the summary lists the restart")
            #expect(summary.resumes?.count == 1)
            #expect(gap.gapS > 0)
            #expect(!summary.history.contains { gap.covers($0.second) }, "no history row inside the gap")
            // Measured time leaves the gap out; the run still ended at its original end time.
            #expect(summary.durationS < Double(seconds) - gap.gapS + 1.5)
            #expect(
                endedAfter >= .seconds(seconds - 1), "the run ended at its end time, not \(seconds) s after the resume")
            #expect(endedAfter < .seconds(seconds + 8))
        }

        @Test func aRunGoesOnUnderItsIdAfterSigtermAndARestartLosingNothingItMeasured() throws {
            let fixture = try DaemonFixture()
            let target = try TargetProcess(directory: fixture.directory)
            try fixture.startDaemon()
            let began = ContinuousClock.now
            let info = try fixture.startRun(scenario(target, seconds: 12)).decode(RunInfo.self)
            try eventually("the run to count 200 requests") {
                (try fixture.status().summary?.total.requests ?? 0) >= 200
            }

            #expect(fixture.stopDaemon() == 0)
            // SIGTERM stops the load and writes the run's books before loadd exits: nothing measured is lost.
            let persisted = try storedRequests(fixture, info.id)
            #expect(FileManager.default.fileExists(atPath: "\(fixture.stateDir)/runs/\(info.id)/resume.json"))
            let stored = try JSONDecoder().decode(
                RunInfo.self,
                from: Data(contentsOf: URL(fileURLWithPath: "\(fixture.stateDir)/runs/\(info.id)/run.json")))
            #expect(stored.state == .running, "run.json keeps the run going for the next daemon")

            try fixture.startDaemon()
            let status = try fixture.status()
            #expect(status.run?.id == info.id)
            #expect(status.run?.state == .running)
            #expect(status.summary?.resumes?.count == 1, "status shows the run as resumed")
            let text = try fixture.loadctl(["status"])
            #expect(text.output.contains("resumed after 1 restart"), "\(text.output)")

            let summary = try finishedSummary(info.id, on: fixture, timeout: .seconds(30))
            let endedAfter = began.duration(to: .now)
            try checkResumed(summary, info, startedAt: began, seconds: 12, endedAfter: endedAfter)
            #expect(try fixture.get("/v1/runs").decode([RunInfo].self).first { $0.id == info.id }?.state == .passed)
            #expect(summary.total.requests > persisted, "the resumed run adds to what was measured before")
            // The target (this test's own) served every request the run counted.
            #expect(UInt64(try target.requestsServed()) >= summary.total.requests)
            #expect(
                !FileManager.default.fileExists(atPath: "\(fixture.stateDir)/runs/\(info.id)/resume.json"),
                "a finished run keeps no resume record")
            // Locust's history CSV has no notion of a gap: its seconds are left out (its timestamps jump).
            let csv = try String(
                contentsOfFile: "\(fixture.stateDir)/runs/\(info.id)/stats_history.csv", encoding: .utf8)
            let stamps = csv.components(separatedBy: .newlines).dropFirst().compactMap { Int($0.prefix { $0 != "," }) }
            #expect(!stamps.isEmpty)
            let gap = try #require(summary.resumes?.first)
            #expect(!stamps.contains { gap.covers($0 - 1 - summary.startedAt) }, "a CSV row inside the gap")
        }

        @Test func aRunGoesOnAfterKillNineLosingAtMostWhatWasNotYetSaved() throws {
            let fixture = try DaemonFixture()
            let target = try TargetProcess(directory: fixture.directory)
            let daemon = try fixture.startDaemon()
            let began = ContinuousClock.now
            let info = try fixture.startRun(scenario(target, seconds: 12)).decode(RunInfo.self)
            let resumeRecord = "\(fixture.stateDir)/runs/\(info.id)/resume.json"
            try eventually("a saved summary with 200 requests and a resume record") {
                try FileManager.default.fileExists(atPath: resumeRecord) && storedRequests(fixture, info.id) >= 200
            }
            // The resume record is written in the same second as the summary, after it: it holds at least this.
            let persisted = try storedRequests(fixture, info.id)
            daemon.signal(SIGKILL)
            #expect(daemon.waitForExit() != nil)
            let servedAtKill = UInt64(try target.requestsServed())

            try fixture.startDaemon()
            #expect(try fixture.status().run?.id == info.id)
            let summary = try finishedSummary(info.id, on: fixture, timeout: .seconds(30))
            try checkResumed(summary, info, startedAt: began, seconds: 12, endedAfter: began.duration(to: .now))
            let served = UInt64(try target.requestsServed())
            #expect(summary.total.requests >= persisted, "every saved second is in the total")
            #expect(served >= summary.total.requests)
            // What a kill loses: the requests after the last save (the record is written once a second,
            // and an engine thread hands over a second once it ends), so at most ~2 s of load: bounded by
            // the fastest second seen times 3 (room for a loaded machine), plus one request per user in flight.
            let peak = UInt64(summary.history.map(\.requests).max() ?? 0)
            let lost = served - summary.total.requests
            #expect(lost <= peak * 3 + 3, "lost \(lost) requests (served \(served), \(servedAtKill) at the kill)")
        }

        /// kill -9 (a crash) and SIGTERM (`systemctl restart loadd`) of the master: the same run goes on.
        @Test(arguments: [SIGKILL, SIGTERM])
        func aFleetRunGoesOnAfterItsMasterIsKilledAndRestartedWithItsWorkersReSplit(signal: Int32) throws {
            let fleet = try FleetCluster()
            let target = try TargetProcess(directory: fleet.master.directory)
            try fleet.addWorker("w1")
            try fleet.addWorker("w2")
            try fleet.waitForWorkers(["w1", "w2"])
            let began = ContinuousClock.now
            let info = try fleet.master.startRun(target.scenario(users: 4, duration: "16s", name: "resume-fleet"))
                .decode(RunInfo.self)
            try eventually("the users to be split") { try fleet.shares() == ["w1": 2, "w2": 2] }
            let resumeRecord = "\(fleet.master.stateDir)/runs/\(info.id)/resume.json"
            try eventually("the master to have saved 200 merged requests", timeout: .seconds(15)) {
                try FileManager.default.fileExists(atPath: resumeRecord) && storedRequests(fleet.master, info.id) >= 200
            }
            let persisted = try storedRequests(fleet.master, info.id)
            let master = try #require(fleet.master.daemon)
            let signalled = ContinuousClock.now
            master.signal(signal)
            #expect(master.waitForExit() != nil)
            // SIGTERM stops the workers and waits only for their last stats, not for the run's end.
            let exited = signalled.duration(to: .now)
            #expect(exited < .seconds(6), "the master took \(exited) to exit")

            try fleet.startMaster()
            let status = try fleet.master.status()
            #expect(status.run?.id == info.id)
            #expect(status.run?.state == .running)
            // Both workers stopped their share (dead-man's switch), rejoin and get a new one.
            try fleet.waitForWorkers(["w1", "w2"], timeout: .seconds(15))
            try eventually("both workers to get a share again", timeout: .seconds(10)) {
                try fleet.shares() == ["w1": 2, "w2": 2]
            }
            try eventually("loadctl status to count both workers back") {
                try fleet.master.loadctl(["status"]).output.contains("without load in all; 2 workers back")
            }

            let summary = try finishedSummary(info.id, on: fleet.master, timeout: .seconds(40))
            try checkResumed(summary, info, startedAt: began, seconds: 16, endedAfter: began.duration(to: .now))
            #expect(summary.resumes?.first?.workersBack == 2)
            let events = (summary.fleetEvents ?? []).map(\.message)
            #expect(
                events.contains { $0.contains("master restarted") && $0.contains("waiting for its 2 workers") },
                "\(events)")
            #expect(
                events.contains { $0.hasPrefix("worker w1 joined") }
                    && events.contains { $0.hasPrefix("worker w2 joined") })
            #expect(
                events.contains { $0.hasPrefix("master restarted at ") && $0.hasSuffix(" UTC, 2 workers back") },
                "\(events)")
            #expect(
                !events.contains { $0.hasPrefix("finished") && $0 != events.last }, "one end, at the end: \(events)")
            if signal == SIGTERM {
                #expect(events.contains { $0.hasPrefix("master shutting down: the run is saved for resuming") })
            }
            // Nothing the workers measured is lost: what they sent after the master's last save was not
            // acknowledged (`AckSaveGate`), so they kept it and sent it again to the new master, which
            // merged it once. The target and the run differ only by requests in flight when a share
            // stopped (the kill's dead-man's switch, the re-split, the end): at most the 4 users each time.
            #expect(summary.total.requests >= persisted)
            let served = UInt64(try target.requestsServed())
            let total = summary.total.requests
            #expect(max(served, total) - min(served, total) <= 16, "target served \(served), the run counted \(total)")
        }

        @Test func pastTheGracePeriodTheRunIsClosedInterruptedWithTheReason() throws {
            let fixture = try DaemonFixture()
            let target = try TargetProcess(directory: fixture.directory)
            let config = "\(fixture.directory)/loadd.yaml"
            try "resume_within: 1s\n".write(toFile: config, atomically: true, encoding: .utf8)
            let daemon = try fixture.startDaemon(["--config", config])
            let info = try fixture.startRun(scenario(target, seconds: 30)).decode(RunInfo.self)
            let resumeRecord = "\(fixture.stateDir)/runs/\(info.id)/resume.json"
            try eventually("a resume record") { FileManager.default.fileExists(atPath: resumeRecord) }
            daemon.signal(SIGKILL)
            #expect(daemon.waitForExit() != nil)
            // The grace is measured from the record's last write: wait until it is older than 1 s.
            try eventually("the record to be older than resume_within") {
                let age = try FileManager.default.attributesOfItem(atPath: resumeRecord)[.modificationDate] as? Date
                return age.map { Date().timeIntervalSince($0) > 1.5 } ?? false
            }

            try fixture.startDaemon(["--config", config])
            let status = try fixture.status()
            #expect(status.run?.state != .running)
            let run = try #require(try fixture.get("/v1/runs").decode([RunInfo].self).first { $0.id == info.id })
            #expect(run.state == .interrupted)
            let summary = try fixture.get("/v1/runs/\(info.id)").decode(RunSummary.self)
            #expect(
                summary.interrupted?.contains("longer than resume_within: 1s") == true,
                "\(summary.interrupted ?? "no reason")")
            #expect(summary.resumes == nil)
            #expect(!FileManager.default.fileExists(atPath: resumeRecord))
        }

        @Test func aRunWithVarsIsNotResumedAndSaysWhy() throws {
            let fixture = try DaemonFixture()
            let target = try TargetProcess(directory: fixture.directory)
            let daemon = try fixture.startDaemon()
            let scenario = scenario(target, seconds: 30).replacingOccurrences(
                of: "request: GET /Test/V1 }",
                with: "request: \"GET /Test/V1?k={{env.KEY}}\" }")
            let info = try fixture.startRun(scenario, secretVars: ["KEY": "s3cret-value"]).decode(RunInfo.self)
            let resumeRecord = "\(fixture.stateDir)/runs/\(info.id)/resume.json"
            try eventually("a resume record") { FileManager.default.fileExists(atPath: resumeRecord) }
            let record = try String(contentsOfFile: resumeRecord, encoding: .utf8)
            #expect(!record.contains("s3cret-value"), "a var's value is never written")
            // Killed (a SIGTERM would stop such a run and record its verdict, as before).
            daemon.signal(SIGKILL)
            #expect(daemon.waitForExit() != nil)

            try fixture.startDaemon()
            let run = try #require(try fixture.get("/v1/runs").decode([RunInfo].self).first { $0.id == info.id })
            #expect(run.state == .interrupted)
            let summary = try fixture.get("/v1/runs/\(info.id)").decode(RunSummary.self)
            #expect(summary.interrupted?.contains("never written to disk") == true, "\(summary.interrupted ?? "")")
        }
    }
}

extension DaemonFixture {
    /// `--config` with `resume_within: 0`: a restart closes the running run `interrupted`, as before
    /// runs could be resumed (for the tests of that path).
    func withoutResume() throws -> [String] {
        let config = "\(directory)/no-resume.yaml"
        try "resume_within: 0\n".write(toFile: config, atomically: true, encoding: .utf8)
        return ["--config", config]
    }
}
