import NIOHTTP1
import Protocol

/// `POST /v1/runs/current/{users,reset,stop}`: steer the running test. Without one they answer 409
/// (the route exists; the node's state forbids it now), as does `users`/`reset` while it stops.
enum CurrentRunRoutes {
    static func routes(_ manager: RunManager) -> [Route] {
        [
            Route(.POST, "/v1/runs/current/users") { request, _ in
                let body = try StrictJSON.decode(
                    SetUsersRequest.self, from: request.body,
                    shape: .flat(["users", "spawn_rate"]))
                return .json(try await manager.setUsers(body))
            },
            Route(.POST, "/v1/runs/current/rate") { request, _ in
                let body = try StrictJSON.decode(SetRateRequest.self, from: request.body, shape: .flat(["rate"]))
                return .json(try await manager.setRate(body))
            },
            Route(.POST, "/v1/runs/current/reset") { request, _ in
                try StrictJSON.expectEmpty(request.body)
                return .json(try await manager.resetStats())
            },
            Route(.POST, "/v1/runs/current/stop") { request, _ in
                try StrictJSON.expectEmpty(request.body)
                return .json(try await manager.stop())
            },
        ]
    }
}
