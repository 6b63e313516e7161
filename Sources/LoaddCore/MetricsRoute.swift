import Foundation
import NIOHTTP1
import Protocol
import Report
import Synchronization

/// `GET /metrics`: the Prometheus text exposition (`MetricsExposition`), on the control socket and
/// on `metrics_listen:`. Scrapes within `maxAge` of each other share one rendering, so many scrapers
/// (or a fast one) cost the engine's stats lock once per interval, not once per request.
enum MetricsRoute {
    static let path = "/metrics"
    static let maxAge: Duration = .milliseconds(250)

    static func routes(_ manager: RunManager) -> [Route] {
        let cache = Cache()
        return [
            Route(.GET, path) { _, _ in
                let text: String
                if let fresh = cache.fresh() {
                    text = fresh
                } else {
                    text = MetricsExposition.render(await manager.metricsSource())
                    cache.store(text)
                }
                return APIResponse(status: .ok, body: Data(text.utf8), contentType: PrometheusText.contentType)
            }
        ]
    }

    private final class Cache: Sendable {
        private let entry = Mutex<(taken: ContinuousClock.Instant, text: String)?>(nil)

        func fresh() -> String? {
            entry.withLock { entry in
                guard let entry, entry.taken.duration(to: .now) < MetricsRoute.maxAge else { return nil }
                return entry.text
            }
        }

        func store(_ text: String) {
            entry.withLock { $0 = (.now, text) }
        }
    }
}
