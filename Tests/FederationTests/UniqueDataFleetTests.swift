import Engine
import Federation
import Foundation
import Protocol
import TestSupport
import Testing

/// `data: { mode: unique }` over a loopback fleet: the master refuses, at start, a run that would
/// hand one row to two users at once, fleet-wide or within a worker's interleaved slice.
@Suite(.serialized, .timeLimit(.minutes(2))) struct UniqueDataFleetTests {
    /// A unique-data request for `users` users over a CSV of `rows` rows, with the file sent along.
    private func request(_ target: TinyTarget, users: Int, rows: Int) throws -> FleetRun.Request {
        let csv = (["user"] + (0..<rows).map { "user\($0)" }).joined(separator: "\n") + "\n"
        let yaml = """
            host: \(target.host)
            users: \(min(users, rows))
            spawn_rate: 100
            wait: { constant: 10ms }
            data: { csv: users.csv, mode: unique }
            tasks: [ { request: "GET /Test/V1?u={{data.user}}" } ]
            """
        let files = ["users.csv": Data(csv.utf8)]
        var plan = try ScenarioLoader.load(
            yaml: yaml, file: "unique.yaml", files: ScenarioFiles(.bundle(files, remoteDirectory: nil)))
        plan.users = users   // as `--users` would, past what the loader saw
        return FleetRun.Request(
            id: RunID(rawValue: "unique-run"), plan: plan, scenario: yaml, file: "unique.yaml",
            overrides: RunOverrides(users: users), files: files)
    }

    @Test func moreUsersThanRowsFleetWideIsRefusedAtStart() async throws {
        let fleet = try await LoopbackMaster.start()
        let target = try await TinyTarget(group: fleet.group)
        let a = await fleet.worker("a")
        let b = await fleet.worker("b")
        try await eventually("both workers to join") { fleet.master.workers().count == 2 }

        let refused = #expect(throws: FederationError.self) {
            try fleet.master.startRun(request(target, users: 4, rows: 3))
        }
        #expect(
            refused?.description == "data mode unique gives each user its own row: users 4 over the fleet need 4 rows, "
                + "the data file has 3; use fewer users, more rows, or mode: cycle")
        #expect(throws: FederationError.self) {
            try fleet.master.checkReady(for: request(target, users: 4, rows: 3).plan)
        }
        #expect(target.count == 0)

        // As many users as rows, split evenly: each worker's slice holds its share, and the run starts.
        try fleet.master.startRun(request(target, users: 4, rows: 4))
        try await eventually("both workers to run their shares") { fleet.master.workers().map(\.users) == [2, 2] }
        try await eventually("load to arrive") { target.count > 0 }
        try fleet.master.stop()
        let summary = await fleet.master.finished(RunID(rawValue: "unique-run"))
        #expect(summary.total.failures == 0)

        await a.shutdown()
        await b.shutdown()
        await target.close()
        await fleet.close()
    }

    @Test func aWorkerWhoseShareOutgrowsItsSliceIsRefused() async throws {
        let fleet = try await LoopbackMaster.start()
        let target = try await TinyTarget(group: fleet.group)
        let a = await fleet.worker("a", cores: 3)
        let b = await fleet.worker("b", cores: 1)
        try await eventually("both workers to join") { fleet.master.workers().count == 2 }

        // 4 users split 3 : 1 by cores, but worker a's slice is rows 0 and 2 only.
        let refused = #expect(throws: FederationError.self) {
            try fleet.master.startRun(request(target, users: 4, rows: 4))
        }
        #expect(
            refused?.description.contains("worker a would run 3 users but its slice of the data has 2 of the 4 rows")
                == true)
        #expect(target.count == 0)

        await a.shutdown()
        await b.shutdown()
        await target.close()
        await fleet.close()
    }
}
