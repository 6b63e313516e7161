import Foundation
import Glibc
import Protocol
import TestSupport
import Testing

extension DaemonTests {
    /// A worker daemon killed mid-run and started again under the same `node:` name.
    @Suite struct FleetWorkerRestart {
        @Test func aKilledWorkerRestartedUnderItsNameRejoinsAndTheRunsEventsSayItsUnsentSecondsAreLost() throws {
            let fleet = try FleetCluster()
            let target = try TargetProcess(directory: fleet.master.directory)
            try fleet.addWorker("w1")
            try fleet.addWorker("w2")
            try fleet.waitForWorkers(["w1", "w2"])
            let info = try fleet.master.startRun(target.scenario(users: 6)).decode(RunInfo.self)
            try eventually("the users to be split") { try fleet.shares() == ["w1": 3, "w2": 3] }
            try eventually("requests merged") { (try fleet.master.status().summary?.total.requests ?? 0) > 0 }

            fleet.worker("w2").daemon?.signal(SIGKILL)
            try eventually("w1 to carry all 6 users") { try fleet.shares() == ["w1": 6] }
            try fleet.addWorker("w2")
            try eventually("the restarted w2 to get its share back") { try fleet.shares() == ["w1": 3, "w2": 3] }
            func events() throws -> [String] {
                try fleet.master.get("/v1/runs/\(info.id)").decode(RunSummary.self).fleetEvents?.map(\.message) ?? []
            }
            try eventually("the events to say what w2 lost") {
                try events().contains { $0.hasPrefix("worker w2 rejoined without the stats it had not sent") }
            }
            let messages = try events()
            #expect(messages.contains { $0.hasPrefix("worker w2 lost (") }, "\(messages)")
            #expect(!messages.contains { $0.hasPrefix("worker w1 rejoined") }, "\(messages)")
            #expect(try fleet.master.post("/v1/runs/current/stop").status == 200)
            #expect(try finishedSummary(info.id, on: fleet.master).total.requests > 0)
        }
    }
}
