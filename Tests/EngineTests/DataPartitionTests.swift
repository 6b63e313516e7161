import Foundation
import Protocol
import TargetServer
import Testing

@testable import Engine

/// Per-user CSV rows as a fleet deals them: each worker's users take an interleaved slice.
@Suite struct DataPartitionTests {
    @Test func userNOfSlotSTakesRowNTimesCountPlusS() {
        let partition = DataPartition(slot: 2, of: 3)
        #expect((0..<4).map(partition.row(forUser:)) == [2, 5, 8, 11])
        #expect((0..<3).map(DataPartition.whole.row(forUser:)) == [0, 1, 2])
    }

    @Test func aNodesUsersTakeOnlyTheRowsOfItsSlice() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("loadd-data-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "n\n1\n2\n3\n4\n".write(toFile: folder + "/rows.csv", atomically: true, encoding: .utf8)
        let target = try await TargetServer.start(TargetConfig())
        var plan = try ScenarioLoader.load(
            yaml: """
                users: 4
                spawn_rate: 100
                duration: 1s
                wait: { constant: 20ms }
                data: { csv: rows.csv }
                tasks: [ { request: "GET /Test/V{{data.n}}", name: row } ]
                """, file: folder + "/s.yaml", baseDirectory: folder)
        plan.host = target.baseURL
        // The second of two workers: rows 1, 3, 5, 7 → wrapping over 4 rows, n = 2 and 4 only.
        plan.share = Plan.Share(dataPartition: DataPartition(slot: 1, of: 2))
        let engine = try Engine(plan: plan, options: EngineOptions(threads: 2))
        engine.start()
        let summary = await engine.finished()
        let byPath = target.stats().byPath
        try await target.stop()
        #expect(summary.total.requests > 0 && summary.total.failures == 0)
        #expect(byPath["/Test/V1"] == 0 && byPath["/Test/V3"] == 0)
        #expect((byPath["/Test/V2"] ?? 0) > 0 && (byPath["/Test/V4"] ?? 0) > 0)
    }
}
