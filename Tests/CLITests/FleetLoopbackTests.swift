import Foundation
import Glibc
import Protocol
import TestSupport
import Testing

extension DaemonTests {
    /// A fleet of real `loadd` processes on 127.0.0.1, driven as an operator would: join, run,
    /// lose and add workers, lose the master, and the refusals an operator must be able to read.
    @Suite struct Fleet {
        @Test func aFleetRunsSplitsAndMergesExactlyWhatItsWorkersMeasured() throws {
            let fleet = try FleetCluster()
            let target = try TargetProcess(directory: fleet.master.directory)
            try fleet.addWorker("w1")
            try fleet.addWorker("w2")
            try fleet.waitForWorkers(["w1", "w2"])
            #expect(try fleet.master.status().workers == 2)
            #expect(try fleet.worker("w1").startRun(target.scenario(users: 2)).status == 409)

            let info = try fleet.master.startRun(target.scenario(users: 6, duration: "3s")).decode(RunInfo.self)
            try eventually("the users to be split") { try fleet.shares() == ["w1": 3, "w2": 3] }
            let listing = try fleet.master.loadctl(["workers", "--json"])
            #expect(listing.status == 0)
            let workers = try JSONDecoder().decode([WorkerInfo].self, from: Data(listing.output.utf8))
            #expect(workers.map(\.activity) == [.running, .running])

            let merged = try finishedSummary(info.id, on: fleet.master)
            let own = try ["w1", "w2"].map { try finishedSummary(info.id, on: fleet.worker($0)) }
            #expect(merged.total.requests > 0)
            #expect(merged.total.requests == own.map(\.total.requests).reduce(0, +))
            #expect(merged.total.failures == 0)
            #expect(own.allSatisfy { $0.users == 3 })
            #expect(merged.passed)
            #expect(try fleet.master.loadctl(["workers"]).output.contains("w2"))
            #expect(try fleet.worker("w1").get("/v1/workers").status == 409)
        }

        @Test func aLostWorkersUsersMoveToTheOthersAndAJoinerGetsItsShare() throws {
            let fleet = try FleetCluster()
            let target = try TargetProcess(directory: fleet.master.directory)
            try fleet.addWorker("w1")
            try fleet.addWorker("w2")
            try fleet.waitForWorkers(["w1", "w2"])
            let info = try fleet.master.startRun(target.scenario(users: 8)).decode(RunInfo.self)
            try eventually("the users to be split") { try fleet.shares() == ["w1": 4, "w2": 4] }

            fleet.worker("w2").daemon?.signal(SIGKILL)
            let lostAt = ContinuousClock.now
            try eventually("w1 to carry all 8 users", timeout: .seconds(3)) { try fleet.shares() == ["w1": 8] }
            #expect(lostAt.duration(to: .now) < .seconds(2), "re-split took \(lostAt.duration(to: .now))")
            try eventually("w1's own run to show 8 users") { try fleet.worker("w1").status().run?.users == 8 }

            try fleet.addWorker("w3")
            try eventually("w3's share") { try fleet.shares() == ["w1": 4, "w3": 4] }
            #expect(try fleet.master.post("/v1/runs/current/reset").status == 200)
            try eventually("the reset to reach the workers") {
                fleet.worker("w3").daemon?.output.contains("statistics reset by the master") == true
            }
            // Measuring starts over at the next whole second: wait for requests counted since then.
            try eventually("requests merged after the reset") {
                (try fleet.master.status().summary?.total.requests ?? 0) > 0
            }
            #expect(try fleet.master.post("/v1/runs/current/users", #"{"users": 10}"#).status == 200)
            try eventually("the new total") { try fleet.shares() == ["w1": 5, "w3": 5] }
            #expect(try fleet.master.post("/v1/runs/current/stop").status == 200)
            let merged = try finishedSummary(info.id, on: fleet.master)
            #expect(merged.total.requests > 0)
            #expect(merged.users == 10)
        }

        @Test func aWorkersWeightScalesItsShareAndWeightZeroMakesAStandby() throws {
            let fleet = try FleetCluster()
            let target = try TargetProcess(directory: fleet.master.directory)
            try fleet.addWorker("heavy", settings: "weight: 3")
            try fleet.addWorker("light")
            try fleet.addWorker("standby", settings: "weight: 0")
            try fleet.waitForWorkers(["heavy", "light", "standby"])
            #expect(try fleet.listed().map(\.weight) == [3, 1, 0])
            _ = try fleet.master.startRun(target.scenario(users: 8)).decode(RunInfo.self)
            // Same machine, same cores: 8 users in proportion 3 : 1 : 0.
            try eventually("the weighted split") { try fleet.shares() == ["heavy": 6, "light": 2, "standby": 0] }
            let table = try fleet.master.loadctl(["workers"]).output
            #expect(table.contains("standby") && table.contains("WEIGHT"), "\(table)")
            fleet.worker("light").daemon?.signal(SIGKILL)
            try eventually("heavy to carry all 8 users") { try fleet.shares() == ["heavy": 8, "standby": 0] }
            #expect(try fleet.master.post("/v1/runs/current/stop").status == 200)
        }

        @Test func aStagedRunsShapeIsReSplitWhenAWorkerDiesOrJoins() throws {
            let fleet = try FleetCluster()
            let target = try TargetProcess(directory: fleet.master.directory)
            try fleet.addWorker("w1")
            try fleet.addWorker("w2")
            try fleet.waitForWorkers(["w1", "w2"])
            // Up to 8 users within a second, then hold them for a minute.
            let scenario = """
                name: staged
                host: \(target.host)
                stages: [ { duration: 1s, target: 8 }, { duration: 60s, target: 8 } ]
                wait: { constant: 10ms }
                tasks: [ { request: GET /Test/V1 } ]
                """
            let info = try fleet.master.startRun(scenario).decode(RunInfo.self)
            try eventually("the stage shape split in halves") { try fleet.shares() == ["w1": 4, "w2": 4] }

            fleet.worker("w2").daemon?.signal(SIGKILL)
            try eventually("w1 to run the whole shape", timeout: .seconds(5)) {
                try fleet.worker("w1").status().summary?.users == 8
            }
            try fleet.addWorker("w3")
            try eventually("the joiner to enter the shape at its level") { try fleet.shares() == ["w1": 4, "w3": 4] }
            #expect(try fleet.worker("w3").status().summary?.users == 4)
            // Thirds of 8 users: slices, not three roundings down, so they still add up to 8.
            try fleet.addWorker("w4")
            try eventually("thirds that add up") { try fleet.shares() == ["w1": 2, "w3": 3, "w4": 3] }
            let events =
                try fleet.master.get("/v1/runs/\(info.id)").decode(RunSummary.self).fleetEvents?.map(\.message) ?? []
            #expect(
                events.contains { $0.hasPrefix("worker w2 lost") && $0.hasSuffix("stages re-split: w1 100%") },
                "\(events)")
            #expect(events.contains("worker w3 joined; stages re-split: w1 50%, w3 50%"), "\(events)")
            #expect(try fleet.master.post("/v1/runs/current/stop").status == 200)
            #expect(try finishedSummary(info.id, on: fleet.master).total.requests > 0)
        }

        @Test func aSilentWorkerIsLostAfterTheHeartbeatTimeoutAndRejoinsWhenItWakes() throws {
            let fleet = try FleetCluster()
            let target = try TargetProcess(directory: fleet.master.directory)
            try fleet.addWorker("w1")
            try fleet.addWorker("w2")
            try fleet.waitForWorkers(["w1", "w2"])
            _ = try fleet.master.startRun(target.scenario(users: 6)).decode(RunInfo.self)
            try eventually("the users to be split") { try fleet.shares() == ["w1": 3, "w2": 3] }

            let w2 = try #require(fleet.worker("w2").daemon)
            w2.signal(SIGSTOP)
            defer { w2.signal(SIGCONT) }
            let frozeAt = ContinuousClock.now
            try eventually("w1 to carry all 6 users", timeout: .seconds(4)) { try fleet.shares() == ["w1": 6] }
            let after = frozeAt.duration(to: .now)
            #expect(after >= .milliseconds(900) && after < .milliseconds(2500), "lost after \(after)")

            w2.signal(SIGCONT)
            try eventually("w2 to rejoin and get its share back", timeout: .seconds(15)) {
                try fleet.shares() == ["w1": 3, "w2": 3]
            }
            #expect(try fleet.master.post("/v1/runs/current/stop").status == 200)
        }

        @Test func workersStopTheirLoadWithinTheTimeoutWhenTheMasterIsKilledAndRejoinANewOne() throws {
            let fleet = try masterLoss(signal: SIGKILL)
            try fleet.startMaster()
            // Backoff 0.5 s, 1 s, 2 s, 4 s…: both are back within a few seconds of the master.
            try fleet.waitForWorkers(["w1", "w2"], timeout: .seconds(15))
        }

        @Test func workersStopTheirLoadWithinTheTimeoutWhenTheMasterFreezes() throws {
            // SIGSTOP keeps the connection open but silent, as a network partition would: only the
            // dead-man's switch can notice.
            try masterLoss(signal: SIGSTOP)
        }

        @discardableResult
        private func masterLoss(signal: Int32) throws -> FleetCluster {
            let fleet = try FleetCluster()
            let target = try TargetProcess(directory: fleet.master.directory)
            try fleet.addWorker("w1")
            try fleet.addWorker("w2")
            try fleet.waitForWorkers(["w1", "w2"])
            let info = try fleet.master.startRun(target.scenario(users: 4)).decode(RunInfo.self)
            let before = try target.requestsServed()
            try eventually("load to reach the target") { try target.requestsServed() > before + 50 }

            let master = try #require(fleet.master.daemon)
            master.signal(signal)
            defer { master.signal(SIGKILL) }
            // The run has no duration: only losing the master ends it. The 1 s heartbeat timeout, a
            // 100 ms tick and the engine's stop take ~1.3 s; the rest of the deadline is room for a
            // loaded machine.
            let lostAt = ContinuousClock.now
            try eventually("both workers to end their share", timeout: .seconds(6)) {
                try ["w1", "w2"].allSatisfy { name in
                    try fleet.worker(name).get("/v1/runs").decode([RunInfo].self).contains {
                        $0.id == info.id && $0.state != .running && $0.state != .stopping
                    }
                }
            }
            let stoppedAfter = lostAt.duration(to: .now)
            let own = try ["w1", "w2"].map { try finishedSummary(info.id, on: fleet.worker($0)) }
            for (name, summary) in zip(["w1", "w2"], own) {
                let reason = summary.abortReason ?? "no reason"
                #expect(reason.contains("master"), "\(name): \(reason)")
            }
            // A worker records its run's end once its engine has finished, so the target (this test's
            // own, served by nobody else) answered what the workers counted plus at most one abandoned
            // in-flight request per user (4): load that went on after the master was lost shows as more.
            let served = UInt64(try target.requestsServed())
            let counted = own.map(\.total.requests).reduce(0, +)
            let answered = counted - own.map(\.total.failures).reduce(0, +)
            #expect(
                served >= answered && served <= counted + 4,
                "target served \(served), the workers counted \(counted) (stopped after \(stoppedAfter))")
            return fleet
        }

        @Test func aWorkerWithTheWrongTokenIsRefusedAndBothSidesSaySo() throws {
            let fleet = try FleetCluster()
            let intruder = try DaemonFixture()
            let wrongToken = intruder.directory + "/token"
            try "not-the-fleet-token-at-all\n".write(toFile: wrongToken, atomically: true, encoding: .utf8)
            chmod(wrongToken, 0o600)   // loadd refuses a token file others can read
            let worker = try fleet.addWorker("intruder", token: wrongToken)
            try eventually("the worker to log why it cannot join") {
                worker.daemon?.output.contains("the master could not prove it holds the token") == true
            }
            #expect(try fleet.listed().isEmpty)
            try eventually("the master to log the failed handshake with the peer address") {
                fleet.master.daemon?.output.split(separator: "\n").contains {
                    $0.contains("worker hung up during the handshake") && $0.contains("loadd_peer=127.0.0.1:")
                } == true
            }
        }

        @Test func garbageOnTheFederationPortClosesThatConnectionAndTheMasterServesOn() throws {
            // Plain TCP, so the bytes below reach the frame decoder (under TLS, the TLS handshake refuses them).
            let plain = "insecure_plaintext: true"
            let fleet = try FleetCluster(masterSettings: plain)
            try fleet.addWorker("w1", settings: plain)
            try fleet.waitForWorkers(["w1"])
            let reply = try loopbackExchange(port: fleet.port, send: Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
            #expect(reply.isEmpty)
            let junk = try loopbackExchange(port: fleet.port, send: [0, 0, 0, 5] + Array("hello".utf8))
            #expect(junk.isEmpty)
            try fleet.addWorker("w2", settings: plain)
            try fleet.waitForWorkers(["w1", "w2"])
            let log = fleet.master.daemon?.output ?? ""
            #expect(log.contains("worker connection closed: frame of"))
            #expect(log.contains("worker connection closed: undecodable frame"))
        }

        @Test func aWorkerSpeakingProtocolVersionFiveIsRefusedWithAClearMessage() throws {
            let fleet = try FleetCluster()
            let worker = try fleet.addWorker("future", extra: ["--federation-protocol-version", "5"])
            try eventually("the refusal in the worker's log") {
                worker.daemon?.output.contains("protocol version 5 not supported; this master speaks 4") == true
            }
            #expect(fleet.master.daemon?.output.contains("worker refused: protocol version 5 not supported") == true)
            #expect(try fleet.listed().isEmpty)
        }
    }
}
