import NIOHTTP1
import Protocol

/// `GET /v1/status`: the node, its limits and its current (or last) run with a live summary.
/// `?history_after=S` keeps only the history seconds after `S`, so a page polling every second
/// fetches what is new instead of the whole run's history each time.
enum StatusRoutes {
    static let historyAfterRange = -1...Int(Int32.max)

    static func routes(_ manager: RunManager) -> [Route] {
        [
            Route(.GET, "/v1/status") { request, _ in
                let after = try historyAfter(request)
                var status = await manager.status()
                if let after { status.summary?.history.removeAll { $0.second <= after } }
                return .json(status)
            }
        ]
    }

    private static func historyAfter(_ request: APIRequest) throws -> Int? {
        guard let text = request.queryValue("history_after") else { return nil }
        guard let value = Int(text), historyAfterRange.contains(value) else {
            throw ControlError(
                .invalid,
                "history_after: must be a whole number of seconds from "
                    + "\(historyAfterRange.lowerBound) to \(historyAfterRange.upperBound), got '\(text.prefix(40))'")
        }
        return value
    }
}
