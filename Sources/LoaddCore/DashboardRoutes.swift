import Foundation
import NIOHTTP1

/// `GET /` (the dashboard) and its assets under `/ui/`, served from constants compiled into loadd.
/// The page reads and steers through the same `/v1` routes as `loadctl`; the Origin check in
/// `Router` keeps other sites from using them through a forwarded port.
enum DashboardRoutes {
    /// Only the page's own files run or style it: no inline script or style, nothing fetched from
    /// elsewhere, no framing by another page, no form posted elsewhere.
    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        + "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    static func routes() -> [Route] {
        [
            Route(.GET, "/") { _, _ in asset(DashboardPage.html, "text/html; charset=utf-8") },
            Route(.GET, "/ui/dashboard.css") { _, _ in asset(DashboardPage.css, "text/css; charset=utf-8") },
            Route(.GET, "/ui/dashboard.js") { _, _ in asset(dashboardScript, "text/javascript; charset=utf-8") },
            Route(.GET, "/ui/charts.js") { _, _ in asset(DashboardCharts.source, "text/javascript; charset=utf-8") },
        ]
    }

    /// One file for the browser, its parts in the order they use each other (charts.js comes first).
    static let dashboardScript = [
        DashboardCommonScript.source, DashboardPhasesScript.source, DashboardStatsScript.source,
        DashboardPanelsScript.source, DashboardScript.source,
    ].joined(separator: "\n")

    static func asset(_ text: String, _ contentType: String) -> APIResponse {
        var response = APIResponse(status: .ok, body: Data(text.utf8))
        response.contentType = contentType
        response.headers = [
            ("content-security-policy", contentSecurityPolicy),
            ("x-content-type-options", "nosniff"),
            ("referrer-policy", "no-referrer"),
            ("x-frame-options", "DENY"),
            // The assets change only with loadd itself; a browser asks again after an upgrade.
            ("cache-control", "no-cache"),
        ]
        return response
    }
}
