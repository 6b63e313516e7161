import Foundation
import Glibc
import Protocol
import Testing

extension DaemonTests {
    /// A fleet run's data files travel master → worker inside the assignment: no node reads a path.
    @Suite struct FleetBundles {
        @Test func aWorkerRunsFromTheFilesTheMasterForwardedNotFromItsDisk() throws {
            let fleet = try FleetCluster()
            let target = try TargetProcess(directory: fleet.master.directory)
            try fleet.addWorker("w1")
            try fleet.waitForWorkers(["w1"])
            // The scenario names a folder that exists on no node: the files exist only in the bundle.
            let request = StartRunRequest(
                scenario: ScenarioBundles.scenario(host: target.host, csv: "users.csv"),
                file: "/nonexistent-loadd-folder/scenario.yaml", overrides: RunOverrides(duration: "2s"),
                files: ["users.csv": Data("user\nalice\nbob\ncarol\n".utf8)])
            let reply = try fleet.master.startRaw(request)
            #expect(reply.status == 201, "\(reply.text)")
            let id = try reply.decode(RunInfo.self).id
            let summary = try finishedSummary(id, on: fleet.master)
            #expect(summary.total.requests > 0, "\(summary.abortReason ?? "no abort reason")")
            #expect(summary.total.failures == 0)
            #expect(summary.abortReason == nil, "\(summary.abortReason ?? "")")
        }
    }
}
