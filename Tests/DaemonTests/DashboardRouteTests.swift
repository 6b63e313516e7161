import Foundation
import Logging
import NIOHTTP1
import Protocol
import SystemdSupport
import Testing

@testable import LoaddCore

/// The dashboard's routes, the Origin rule and the run-file routes, in-process through the real
/// route table of a real `RunManager` over a run store in a temporary folder.
@Suite final class DashboardRouteTests {
    let folder: String
    let manager: RunManager
    let router: Router

    init() throws {
        var template = Array("/tmp/loadd-dashboard-test-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
        folder = String(cString: made)
        let store = try RunStore(stateDir: folder)
        let settings = NodeSettings(
            node: NodeID(rawValue: "test-node"), role: .standalone, threads: 1,
            capacity: UserCapacity(openFilesLimit: 1024, configured: 0), dataDir: folder,
            retention: .defaults)
        manager = RunManager(
            settings: settings, store: store, notifier: SystemdNotifier(),
            logger: Logger(label: "dashboard-test"))
        router = .controlAPI(manager)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: folder)
    }

    func get(_ path: String, _ headers: [(String, String)] = [], query: String = "") async -> APIResponse {
        await router.respond(
            to: APIRequest(method: .GET, path: path, body: [], headers: HTTPHeaders(headers), query: query))
    }

    func post(_ path: String, _ body: String, _ headers: [(String, String)] = []) async -> APIResponse {
        await router.respond(
            to: APIRequest(method: .POST, path: path, body: Array(body.utf8), headers: HTTPHeaders(headers)))
    }

    func header(_ response: APIResponse, _ name: String) -> String? {
        response.headers.first { $0.0 == name }?.1
    }

    func text(_ response: APIResponse) -> String { String(decoding: response.body, as: UTF8.self) }

    // MARK: The page

    @Test func rootServesTheDashboardAsHTMLUnderAPolicyThatAllowsOnlyItsOwnScripts() async throws {
        let page = await get("/")
        #expect(page.status == .ok)
        #expect(page.contentType == "text/html; charset=utf-8")
        let policy = try #require(header(page, "content-security-policy"))
        #expect(policy.contains("default-src 'self'") && policy.contains("script-src 'self'"))
        #expect(!policy.contains("unsafe-inline") && !policy.contains("unsafe-eval") && !policy.contains("http"))
        #expect(header(page, "x-content-type-options") == "nosniff")
        let html = text(page)
        // No inline script or style for the policy to block: every <script> names a file of ours.
        #expect(
            html.components(separatedBy: "<script").count - 1 == html.components(separatedBy: "<script src=\"/ui/")
                .count - 1)
        #expect(!html.contains("<style") && !html.contains(" style=") && !html.contains(" onclick="))
        #expect(!html.contains("//cdn") && !html.contains("https://"))
    }

    @Test func everyAssetThePageNamesIsServedWithItsContentType() async throws {
        let html = text(await get("/"))
        let names = html.components(separatedBy: "\"/ui/").dropFirst().compactMap { $0.split(separator: "\"").first }
        #expect(Set(names) == ["dashboard.css", "charts.js", "dashboard.js"])
        for name in names {
            let asset = await get("/ui/\(name)")
            #expect(asset.status == .ok, "\(name)")
            #expect(asset.contentType.hasPrefix(name.hasSuffix(".js") ? "text/javascript" : "text/css"), "\(name)")
            #expect(header(asset, "content-security-policy") != nil)
            #expect(asset.body.count > 500)
        }
        #expect(await get("/ui/nothing.js").status == .notFound)
    }

    // MARK: Origin

    @Test func aWriteFromAnotherSiteIsRefused403WithTheReason() async throws {
        let refused = await post(
            "/v1/runs/current/stop", "", [("host", "127.0.0.1:8089"), ("origin", "http://evil.example")])
        #expect(refused.status == .forbidden)
        let error = try WireJSON.decode(APIError.self, from: refused.body)
        #expect(error.error.contains("origin 'http://evil.example' refused"))
        #expect(error.error.contains("http://127.0.0.1:8089"))
        // Nothing ran: the same request from the page itself reaches the route (409: no run is going).
        let own = await post(
            "/v1/runs/current/stop", "", [("host", "127.0.0.1:8089"), ("origin", "http://127.0.0.1:8089")])
        #expect(own.status == .conflict)
        // loadctl and curl send no Origin.
        #expect(await post("/v1/runs/current/stop", "", [("host", "loadd")]).status == .conflict)
    }

    @Test(arguments: [
        ("evil.example:8089", "http://evil.example:8089"),   // DNS rebinding: a name that resolves to 127.0.0.1
        ("127.0.0.1:8089", "null"),   // a sandboxed page (the stored report) or a file: URL
        ("127.0.0.1:8089", "http://127.0.0.1:9999"),   // another port is another origin
        ("localhost:8089", "http://127.0.0.1:8089"),
    ])
    func aBrowserRequestThatIsNotThePageOwnIsRefused(host: String, origin: String) async {
        let response = await get("/v1/status", [("host", host), ("origin", origin)])
        #expect(response.status == .forbidden, "Host \(host), Origin \(origin): \(text(response))")
    }

    @Test(arguments: [
        ("localhost:8089", "http://localhost:8089"), ("[::1]:8089", "http://[::1]:8089"),
        ("10.0.0.5", "http://10.0.0.5"),
    ])
    func thePageOwnOriginIsServed(host: String, origin: String) async {
        #expect(await get("/v1/status", [("host", host), ("origin", origin)]).status == .ok)
    }

    @Test func aBrowserReadUnderAHostNameIsRefusedAndUnderAnAddressServed() async {
        // A same-origin GET carries no Origin, but every browser request carries Sec-Fetch-Site.
        let rebound = await get("/v1/status", [("host", "evil.example:8089"), ("sec-fetch-site", "same-origin")])
        #expect(rebound.status == .forbidden)
        #expect(text(rebound).contains("only as localhost or by IP address"))
        #expect(await get("/", [("host", "evil.example:8089"), ("sec-fetch-site", "none")]).status == .forbidden)
        #expect(await get("/", [("host", "127.0.0.1:8089"), ("sec-fetch-site", "none")]).status == .ok)
        // Not a browser: a socket client may name any host.
        #expect(await get("/v1/status", [("host", "loadd")]).status == .ok)
    }

    @Test func twoOriginHeadersAreRefused() async {
        let response = await get(
            "/v1/status", [("host", "localhost"), ("origin", "http://localhost"), ("origin", "http://evil")])
        #expect(response.status == .forbidden)
    }

    // MARK: Stored run files

    func makeRun(_ id: String) throws -> String {
        let run = "\(folder)/runs/\(id)"
        try FileManager.default.createDirectory(atPath: run, withIntermediateDirectories: true)
        try Data("Type,Name\nGET,/a\n".utf8).write(to: URL(fileURLWithPath: "\(run)/stats.csv"))
        try Data("<!DOCTYPE html><p>report</p>".utf8).write(to: URL(fileURLWithPath: "\(run)/report.html"))
        return run
    }

    @Test func aStoredRunFileIsServedWithItsContentType() async throws {
        _ = try makeRun("20261129-120000-abcd")
        let csv = await get("/v1/runs/20261129-120000-abcd/files/stats.csv")
        #expect(csv.status == .ok)
        #expect(csv.contentType == "text/csv; charset=utf-8")
        #expect(header(csv, "content-disposition") == "attachment; filename=\"20261129-120000-abcd_stats.csv\"")
        #expect(text(csv) == "Type,Name\nGET,/a\n")
        let report = await get("/v1/runs/20261129-120000-abcd/files/report.html")
        #expect(report.contentType == "text/html; charset=utf-8")
        // Served under the dashboard's origin, the report must not act as it.
        #expect(header(report, "content-security-policy")?.hasPrefix("sandbox") == true)
        #expect(await get("/v1/runs/20261129-120000-abcd/files/summary.json").status == .notFound)
    }

    @Test(arguments: [
        "/v1/runs/20261129-120000-abcd/files/..%2F..%2Floadd.lock",
        "/v1/runs/20261129-120000-abcd/files/../run.json",
        "/v1/runs/../files/stats.csv",
        "/v1/runs/..%2Fruns/files/stats.csv",
        "/v1/runs/20261129-120000-abcd/files/loadd.lock",
        "/v1/runs/20261129-120000-abcd/files/",
    ])
    func aPathOutsideTheRunFolderIsNeverRead(path: String) async throws {
        _ = try makeRun("20261129-120000-abcd")
        let response = await get(path)
        #expect(response.status == .notFound, "\(path): \(text(response))")
    }

    @Test func aSymbolicLinkInARunFolderIsRefusedNotFollowed() async throws {
        let run = try makeRun("20261129-120000-abcd")
        try FileManager.default.createSymbolicLink(atPath: "\(run)/failures.csv", withDestinationPath: "/etc/passwd")
        let response = await get("/v1/runs/20261129-120000-abcd/files/failures.csv")
        #expect(response.status == .internalServerError)
        #expect(!text(response).contains("root:"))
    }

    // MARK: Validate and status

    @Test func validateLocatesAScenarioErrorByLineAndColumnAndStartsNothing() async throws {
        let scenario =
            "name: x\\nhost: http://127.0.0.1:1\\nusers: 2\\ntasks:\\n  - { weight: 1, request: GET /a }\\nbogus: 1\\n"
        let response = await post("/v1/validate", "{\"scenario\": \"\(scenario)\", \"file\": \"mine.yaml\"}")
        #expect(response.status == .badRequest)
        let error = try WireJSON.decode(APIError.self, from: response.body)
        #expect(error.details.contains { $0.hasPrefix("mine.yaml:6:1") }, "\(error.details)")
        #expect(await manager.runs().isEmpty)
    }

    @Test func validateDescribesAValidScenario() async throws {
        let scenario =
            "name: ok\\nhost: http://127.0.0.1:1\\nusers: 3\\nduration: 30s\\ntasks:\\n  - { weight: 1, request: GET /a }\\n"
        let response = await post("/v1/validate", "{\"scenario\": \"\(scenario)\"}")
        #expect(response.status == .ok, "\(text(response))")
        let body = try #require(try JSONSerialization.jsonObject(with: response.body) as? [String: Any])
        #expect(
            body["scenario"] as? String == "ok" && body["users"] as? Int == 3 && body["duration_s"] as? Double == 30)
        #expect(await manager.runs().isEmpty)
    }

    @Test func aBadHistoryAfterIsRefusedByName() async throws {
        let response = await get("/v1/status", query: "history_after=soon")
        #expect(response.status == .badRequest)
        #expect(text(response).contains("history_after"))
        #expect(await get("/v1/status", query: "history_after=5").status == .ok)
    }
}
