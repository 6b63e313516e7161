import Foundation
import NIOHTTP1
import Protocol

/// `POST /v1/runs` (start), `GET /v1/runs` (list, newest first), `GET /v1/runs/{id}` (summary),
/// `DELETE /v1/runs/{id}` (remove a stored run) and `POST /v1/runs/prune` (apply the retention policy now).
enum RunRoutes {
    /// `StartRunRequest` as sent by hand: `file` and `overrides` may be left out.
    struct StartBody: Decodable {
        var scenario: String
        var file: String?
        var overrides: RunOverrides?
        var files: [String: Data]?
        var remoteFiles: Bool?
        var vars: [String: String]?
        var secretVars: [String]?

        enum CodingKeys: String, CodingKey {
            case scenario, file, overrides, files, remoteFiles = "remote_files", vars, secretVars = "secret_vars"
        }

        /// The request `start` and `validate` compile.
        var request: StartRunRequest {
            var start = StartRunRequest(
                scenario: scenario, file: file ?? "scenario.yaml",
                overrides: overrides ?? RunOverrides(), files: files, remoteFiles: remoteFiles)
            start.vars = vars
            start.secretVars = secretVars
            return start
        }
    }

    static let startShape = StrictJSON.Shape([
        "scenario": nil, "file": nil, "overrides": .flat(["users", "spawn_rate", "duration", "host", "rate"]),
        "files": nil, "remote_files": nil, "vars": nil, "secret_vars": nil,
    ])

    /// The bundle's files, checked as `loadctl` checked them before sending.
    /// - Throws: 413 above `ControlAPI.maxBundleBytes` in all, 400 for a nameless file.
    static func checkBundle(_ files: [String: Data]) throws {
        if files.keys.contains(where: \.isEmpty) {
            throw ControlError(.invalid, "files: a data file has an empty name")
        }
        let total = files.values.reduce(0) { $0 + $1.count }
        guard total <= ControlAPI.maxBundleBytes else {
            throw ControlError(
                .tooLarge,
                "files: the data files total \(total) bytes, more than the "
                    + "\(ControlAPI.maxBundleBytes)-byte limit for one run")
        }
    }

    /// A path's run id, refused unless it has the shape loadd makes (so it never names another path).
    private static func runID(_ text: String) throws -> RunID {
        guard RunIdentifier.isValid(text) else {
            throw ControlError(
                .notFound, "no run \(text)", details: ["run ids look like 20261122-184501-a3f9 (see GET /v1/runs)"])
        }
        return RunID(rawValue: text)
    }

    static func routes(_ manager: RunManager) -> [Route] {
        [
            Route(.POST, "/v1/runs") { request, _ in
                let body = try StrictJSON.decode(StartBody.self, from: request.body, shape: startShape)
                try checkBundle(body.files ?? [:])
                return .json(try await manager.start(body.request), status: .created)
            },
            Route(.GET, "/v1/runs") { _, _ in .json(await manager.runs()) },
            Route(.GET, "/v1/runs/{id}") { _, values in
                switch try await manager.summary(of: try runID(values[0])) {
                case .live(let summary): .json(summary)
                case .stored(let text): .rawJSON(text)
                }
            },
            Route(.DELETE, "/v1/runs/{id}") { request, values in
                try StrictJSON.expectEmpty(request.body)
                return .json(RemovedRuns(removed: try await manager.remove([try runID(values[0])])))
            },
            Route(.POST, "/v1/runs/prune") { request, _ in
                try StrictJSON.expectEmpty(request.body)
                let removed = await manager.prune(reason: "requested")
                return .json(RemovedRuns(removed: removed, policy: await manager.settings.retention.description))
            },
        ]
    }
}
