import NIOHTTP1
import Protocol

/// `GET /v1/workers`: the fleet's workers as the master sees them (409 on other nodes).
enum WorkerRoutes {
    static func routes(_ manager: RunManager) -> [Route] {
        [
            Route(.GET, "/v1/workers") { _, _ in .json(try await manager.workers()) }
        ]
    }
}
