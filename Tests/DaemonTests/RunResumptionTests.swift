import Engine
import Foundation
import Protocol
import Testing

@testable import LoaddCore

/// Which run a starting daemon carries on, and why the others are closed (`RunResumption`), on a
/// real run store in a temporary folder.
@Suite struct RunResumptionTests {
    private let store: RunStore
    private let checkpoint: RunLedger.Checkpoint

    init() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("resume-\(UUID().uuidString)").path
        store = try RunStore(stateDir: dir)
        let plan = try ScenarioLoader.load(
            yaml: "host: http://127.0.0.1:1\nusers: 1\ntasks: [ { request: GET /a } ]\n",
            file: "s.yaml", baseDirectory: ".")
        checkpoint = RunLedger(plan: plan, run: nil, expectedReporters: 1, startUnixSeconds: 1000)
            .checkpoint(at: .seconds(3))
    }

    /// A run left `running` with a record saved `age` seconds before `now`.
    private func leftRunning(
        _ name: String, age: Double, now: Double, refusal: String? = nil,
        role: NodeRole = .standalone
    ) throws -> RunID {
        let id = RunID(rawValue: "20261129-2200\(name)-abcd")
        try store.create(id, scenario: "users: 1\n")
        try store.writeInfo(
            RunInfo(
                id: id, scenario: "s", host: "h", state: .running, startedAt: 1000, endedAt: nil,
                users: 1, requests: 0, failures: 0))
        var record = ResumeRecord(
            role: role, savedAt: now - age, file: "s.yaml", overrides: RunOverrides(),
            refusal: refusal)
        if refusal == nil { record.checkpoint = checkpoint }
        try store.writeResumeRecord(record, of: id)
        return id
    }

    @Test func theNewestRunSavedWithinTheGraceIsTakenUpAndTheOthersSayWhy() throws {
        let now = 2_000_000.0
        let older = try leftRunning("01", age: 3, now: now)
        let newer = try leftRunning("02", age: 1, now: now)
        let stale = try leftRunning("03", age: 75, now: now)
        let secret = try leftRunning("04", age: 1, now: now, refusal: "its 1 var are never written to disk")
        let master = try leftRunning("05", age: 1, now: now, role: .master)
        let decision = RunResumption.decide(store: store, within: .seconds(60), role: .standalone, now: now)
        #expect(decision.resume?.id == newer)
        #expect(decision.reasons[newer] == nil)
        #expect(decision.reasons[older]?.hasSuffix("not resumed: run \(newer) was resumed instead") == true)
        #expect(decision.reasons[stale]?.hasSuffix("loadd was away 75 s, longer than resume_within: 60s") == true)
        #expect(decision.reasons[secret]?.hasSuffix("its 1 var are never written to disk") == true)
        #expect(decision.reasons[master]?.hasSuffix("it ran on a master, this node is a standalone") == true)
        // The store closes exactly the others, each with its reason in the summary it keeps.
        let closed = store.markInterrupted(except: decision.resume?.id, reasons: decision.reasons)
        #expect(Set(closed.map(\.id)) == [older, stale, secret, master])
        #expect(store.info(newer)?.state == .running)
        #expect(!FileManager.default.fileExists(atPath: "\(store.folder(stale))/resume.json"))
    }

    @Test func resumeWithinZeroResumesNothing() throws {
        let id = try leftRunning("01", age: 0, now: 1_000)
        let decision = RunResumption.decide(store: store, within: .zero, role: .standalone, now: 1_000)
        #expect(decision.resume == nil)
        #expect(decision.reasons[id]?.hasSuffix("not resumed: resume_within: is 0") == true)
    }

    @Test func resumeWithinIsReadWithItsRangeAndLineNumber() throws {
        #expect(try ConfigFile.parse(yaml: "resume_within: 90s\n", file: "l.yaml").resumeWithin == .seconds(90))
        #expect(try ConfigFile.parse(yaml: "resume_within: off\n", file: "l.yaml").resumeWithin == .zero)
        #expect(throws: ConfigError.self) { try ConfigFile.parse(yaml: "resume_within: 2h\n", file: "l.yaml") }
        do {
            _ = try ConfigFile.parse(yaml: "threads: 1\nresume_within: 2h\n", file: "l.yaml")
        } catch let error as ConfigError {
            #expect(
                error.description == "l.yaml:2:16: resume_within: expected a duration from 0s (off) to 1h "
                    + "such as 60s or 5m, got '2h'")
        }
        #expect(RunResumption.describe(.milliseconds(1500)) == "1500ms")
    }
}
