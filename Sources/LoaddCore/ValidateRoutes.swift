import Engine
import Foundation
import NIOHTTP1
import Protocol

/// `POST /v1/validate`: the body of `POST /v1/runs`, compiled exactly as a start compiles it (same
/// loader, overrides and checks, on the compile thread) but never run. The dashboard shows its
/// errors, each with file:line:col, before it offers to start; a 400 carries them in `details`.
enum ValidateRoutes {
    static func routes(_ manager: RunManager) -> [Route] {
        [
            Route(.POST, "/v1/validate") { request, _ in
                let body = try StrictJSON.decode(
                    RunRoutes.StartBody.self, from: request.body, shape: RunRoutes.startShape)
                try RunRoutes.checkBundle(body.files ?? [:])
                return .json(try await manager.validate(body.request))
            }
        ]
    }
}

/// What a valid scenario would run: the answer of `POST /v1/validate`.
struct ValidatedScenario: Encodable, Sendable, Equatable {
    var file: String
    var scenario: String
    var host: String
    /// `closed` (users) or `open` (rate).
    var model: String
    /// The closed model's users, or its largest stage target when it has stages.
    var users: Int
    var spawnRate: Double
    var rate: Double?
    /// The measured span in seconds; `nil` runs until stopped.
    var durationS: Double?
    var stages: Int
    var endpoints: Int
    var tasks: Int
    var thresholds: Int

    enum CodingKeys: String, CodingKey {
        case file, scenario, host, model, users, spawnRate = "spawn_rate", rate, durationS = "duration_s", stages
        case endpoints, tasks, thresholds
    }

    init(_ plan: Plan, file: String) {
        self.file = file
        scenario = plan.name
        host = plan.host
        model = plan.isOpenModel ? "open" : "closed"
        let peak = plan.stages.map(\.target).max() ?? 0
        users = max(plan.users, peak.isFinite && peak < 9.0e18 ? Int(max(0, peak)) : Int.max)
        spawnRate = plan.spawnRate
        rate = plan.arrivalRate
        durationS = plan.measuredDuration.map {
            Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18
        }
        stages = plan.stages.count
        endpoints = plan.endpoints.count
        tasks = plan.tasks.count
        thresholds = plan.thresholds.count
    }
}

extension RunManager {
    /// Compiles `request` as `start` would, off the actor, and says what it would run.
    /// - Throws: `.invalid` with one detail per scenario error.
    func validate(_ request: StartRunRequest) async throws -> ValidatedScenario {
        let files = ScenarioFiles(
            .bundle(
                request.files ?? [:],
                remoteDirectory: request.remoteFiles == true ? settings.dataDir : nil))
        let compiled = try await CompileThread.run { try Self.compile(request, files: files) }
        return ValidatedScenario(compiled.plan, file: request.file.isEmpty ? "scenario.yaml" : request.file)
    }
}
