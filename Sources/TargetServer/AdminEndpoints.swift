import NIOCore
import NIOHTTP1

/// `/stats`, `/stats/reset` and `/control`. Off the hot path, so they build their JSON as strings.
enum AdminEndpoints {
    static func respond(to route: Route, method: HTTPMethod, uri: String, loop: LoopState) -> CannedResponse {
        switch route {
        case .stats:
            return json(.ok, statsJSON(loop.shared.stats()), loop)
        case .statsReset:
            loop.shared.resetStats()
            return json(.ok, statsJSON(loop.shared.stats()), loop)
        case .control where method == .GET:
            return json(.ok, configJSON(loop.shared.snapshot().reported()), loop)
        case .control:
            do {
                let change = try TargetChange(query: query(of: uri))
                return json(.ok, configJSON(try loop.shared.update(change).reported()), loop)
            } catch {
                return json(.badRequest, #"{"error":\#(quoted("\(error)"))}"#, loop)
            }
        default:
            preconditionFailure("\(route) is not an admin route")
        }
    }

    /// `{"requests":N,"unmatched":N,"by_path":{"/Test/V1":n,…}}`, paths in route order.
    static func statsJSON(_ stats: TargetStats) -> String {
        let paths = Route.workload.map { "\(quoted($0.path)):\(stats.byPath[$0.path] ?? 0)" }
        return #"{"requests":\#(stats.requests),"unmatched":\#(stats.unmatched),"#
            + #""by_path":{\#(paths.joined(separator: ","))}}"#
    }

    /// The knobs under the same names `/control` accepts, so a response can be sent back as a query.
    static func configJSON(_ config: TargetConfig) -> String {
        "{"
            + #""delay_ms":\#(number(milliseconds(config.delay))),"#
            + #""slow_fraction":\#(number(config.slowFraction)),"#
            + #""slow_ms":\#(number(milliseconds(config.slowDelay))),"#
            + #""error_fraction":\#(number(config.errorFraction)),"#
            + #""error_status":\#(config.errorStatus),"#
            + #""stall_ms":\#(number(milliseconds(config.stall)))"#
            + "}"
    }

    private static func json(_ status: HTTPResponseStatus, _ body: String, _ loop: LoopState) -> CannedResponse {
        CannedResponse(
            status: status, contentType: "application/json", body: body, allocator: loop.allocator,
            extraHeaders: [("cache-control", "no-store")])
    }

    private static func query(of uri: String) -> Substring {
        guard let question = uri.firstIndex(of: "?") else { return "" }
        return uri[uri.index(after: question)...]
    }

    private static func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }

    /// Whole numbers without a trailing `.0`, so `delay_ms` reads as `50`, not `50.0`.
    private static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        return String(value)
    }

    private static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case _ where scalar.value < 0x20:
                out += "\\u00" + String(scalar.value, radix: 16).leftPadded(to: 2)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: Swift.max(0, width - count)) + self
    }
}
