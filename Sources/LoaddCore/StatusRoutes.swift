import NIOHTTP1
import Protocol

/// `GET /v1/status`: the node, its limits and its current (or last) run with a live summary.
enum StatusRoutes {
    static func routes(_ manager: RunManager) -> [Route] {
        [
            Route(.GET, "/v1/status") { _, _ in .json(await manager.status()) },
        ]
    }
}
