import NIOHTTP1
import Protocol

/// `POST /v1/marks {"text": "…"}`: stamps an event into the current run; answers the mark.
enum MarkRoutes {
    static func routes(_ manager: RunManager) -> [Route] {
        [
            Route(.POST, "/v1/marks") { request, _ in
                let body = try StrictJSON.decode(MarkRequest.self, from: request.body, shape: .flat(["text"]))
                return .json(try await manager.mark(body), status: .created)
            }
        ]
    }
}
