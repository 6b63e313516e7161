import NIOHTTP1
import Protocol

/// One entry of the route table: a method, a path pattern such as `/v1/runs/{id}`, and its handler,
/// which gets the request and the values of the pattern's `{…}` segments in order.
struct Route: Sendable {
    typealias Handler = @Sendable (APIRequest, [String]) async throws -> APIResponse

    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter
    }

    let method: HTTPMethod
    let pattern: String
    let segments: [Segment]
    let handle: Handler

    init(_ method: HTTPMethod, _ pattern: String, _ handle: @escaping Handler) {
        self.method = method
        self.pattern = pattern
        // `/` (the dashboard) is the one path whose only segment is empty.
        segments =
            pattern == "/"
            ? [.literal("")]
            : pattern.split(separator: "/").map { $0.hasPrefix("{") ? .parameter : .literal(String($0)) }
        self.handle = handle
    }

    /// The parameter values when `path` fits the pattern, else `nil`.
    func match(_ path: [Substring]) -> [String]? {
        guard path.count == segments.count else { return nil }
        var values: [String] = []
        for (segment, part) in zip(segments, path) {
            switch segment {
            case .literal(let text): guard part == text else { return nil }
            case .parameter: values.append(String(part))
            }
        }
        return values
    }
}

/// Dispatches requests through the route table: 404 for a path no route has, 405 (with `Allow`) for a
/// known path with another method, and every thrown `ControlError` as its JSON error (mapped to a
/// status in `ControlError+HTTP.swift`, the one place). Anything else a handler throws is a bug of
/// ours: 500, and the daemon keeps serving.
struct Router: Sendable {
    let routes: [Route]

    func respond(to request: APIRequest) async -> APIResponse {
        if let refusal = OriginCheck.refusal(request.headers) { return APIResponse(ControlError(.forbidden, refusal)) }
        // An empty segment (`//`, a trailing `/`) names no resource: the split keeps it so it fails to match.
        let path = request.path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        let candidates = routes.compactMap { route in route.match(Array(path)).map { (route, $0) } }
        guard !candidates.isEmpty else {
            let endpoints = Set(routes.map(\.pattern)).sorted().joined(separator: ", ")
            return APIResponse(
                ControlError(
                    .notFound, "no such endpoint: \(request.path)",
                    details: ["endpoints: " + endpoints]))
        }
        guard let (route, values) = candidates.first(where: { $0.0.method == request.method }) else {
            let allowed = candidates.map(\.0.method.rawValue).joined(separator: ", ")
            let refusal = ControlError(
                .methodNotAllowed,
                "\(request.method.rawValue) is not allowed on \(request.path)",
                details: ["allowed: \(allowed)"])
            var response = APIResponse(refusal)
            response.headers.append(("allow", allowed))
            return response
        }
        do {
            return try await route.handle(request, values)
        } catch let failure as ControlError {
            return failure.response
        } catch {
            return APIResponse(ControlError(.failed, "internal error: \(error)"))
        }
    }

    /// The whole control API (see `ControlAPI`).
    static func controlAPI(_ manager: RunManager) -> Router {
        Router(
            routes: StatusRoutes.routes(manager) + RunRoutes.routes(manager) + CurrentRunRoutes.routes(manager)
                + WorkerRoutes.routes(manager) + ValidateRoutes.routes(manager) + RunFileRoutes.routes(manager.store)
                + DashboardRoutes.routes() + MetricsRoute.routes(manager)
                + MarkRoutes.routes(manager))
    }

    /// `metrics_listen:`: `GET /metrics` and nothing else (every other path is 404).
    static func metricsOnly(_ manager: RunManager) -> Router {
        Router(routes: MetricsRoute.routes(manager))
    }
}
