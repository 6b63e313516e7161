import Protocol
import TargetServer

@testable import Engine

/// Runs `yaml` to completion against a fresh built-in target (its `host` replaced by the target's),
/// calling `during` while the run goes; the target stops afterwards.
func runAgainstTarget(
    _ yaml: String, target config: TargetConfig = TargetConfig(), threads: Int = 2,
    during: (@Sendable (Engine, TargetServer) async throws -> Void)? = nil
) async throws -> RunSummary {
    let target = try await TargetServer.start(config)
    var plan = try ScenarioLoader.load(yaml: yaml, file: "test.yaml", baseDirectory: ".")
    plan.host = target.baseURL
    let engine = try Engine(plan: plan, options: EngineOptions(threads: threads))
    engine.start()
    try await during?(engine, target)
    let summary = await engine.finished()
    try await target.stop()
    return summary
}
