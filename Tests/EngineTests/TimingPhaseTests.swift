import Protocol
import TargetServer
import TestSupport
import Testing

@testable import Engine

/// Where a request's time went, from libcurl's own marks, against the built-in target over real libcurl.
@Suite(.serialized) struct TimingPhaseTests {
    /// One user, one request after another, for about 1.5 s: a few dozen requests.
    private static func scenario(host: String, headers: String = "", extra: String = "") -> String {
        """
        host: \(host)
        \(extra)
        users: 1
        spawn_rate: 100
        duration: 1500ms
        wait: { constant: 20ms }
        tasks: [ { request: GET /Test/V1\(headers) } ]
        """
    }

    private func run(
        _ yaml: String, directory: String = ".", config: TargetConfig = TargetConfig(),
        tls: TargetTLS? = nil
    ) async throws -> RunSummary {
        let target = try await TargetServer.start(config, tls: tls)
        var plan = try ScenarioLoader.load(yaml: yaml, file: "\(directory)/test.yaml", baseDirectory: directory)
        plan.host = target.baseURL
        let engine = try Engine(plan: plan, options: EngineOptions(threads: 1))
        engine.start()
        let summary = await engine.finished()
        try await target.stop()
        return summary
    }

    @Test(.enabled(if: TestCA.available, "needs the openssl command"), .timeLimit(.minutes(1)))
    func theTLSHandshakeIsChargedToTheRequestsThatOpenedAConnectionOnly() async throws {
        let ca = try TestCA()
        defer { ca.remove() }
        let tls = TargetTLS(certificatePath: ca.serverCert, privateKeyPath: ca.serverKey)

        // Keep-alive: the user's one connection pays DNS, connect and TLS once; the other requests 0.
        let reused = try await run(
            Self.scenario(host: "https://x", extra: "tls: { ca_file: ca.pem }"),
            directory: ca.directory, tls: tls)
        let opened = reused.history.reduce(0) { $0 + ($1.newConnections ?? 0) }
        let phases = try #require(reused.total.phases, "the summary has phases")
        #expect(reused.total.failures == 0 && reused.total.requests >= 20, "\(reused.failuresByReason)")
        #expect(phases.requests == reused.total.requests)
        #expect(opened >= 1 && opened * 4 < reused.total.requests, "connections reused: \(opened)")
        #expect(phases.tls.nonzero == opened, "TLS time on exactly the requests that opened a connection")
        #expect(phases.connect.nonzero == opened)
        #expect(phases.tls.meanMs > 0, "the one handshake shows in the mean")
        #expect(
            phases.tls.p95Ms == 0 && phases.connect.p95Ms == 0 && phases.dns.p95Ms == 0,
            "95 % of the requests reused the connection: \(phases)")
        #expect(phases.ttfb.meanMs > 0 && phases.ttfb.nonzero == phases.requests)
        #expect(reused.endpoints.first?.phases == phases, "one endpoint: its row is the total")

        // `Connection: close`: every request opens a connection, so every one pays a handshake.
        let fresh = try await run(
            Self.scenario(
                host: "https://x", headers: ", headers: { Connection: close }",
                extra: "tls: { ca_file: ca.pem }"),
            directory: ca.directory, tls: tls)
        let freshPhases = try #require(fresh.total.phases)
        #expect(fresh.total.failures == 0 && fresh.total.requests >= 20, "\(fresh.failuresByReason)")
        #expect(freshPhases.tls.nonzero == fresh.total.requests && freshPhases.connect.nonzero == fresh.total.requests)
        #expect(freshPhases.tls.p95Ms > 0 && freshPhases.tls.meanMs > 0)
        // Spread over the requests, one handshake per connection costs far less per request than one each.
        #expect(phases.tls.meanMs < freshPhases.tls.meanMs / 4, "\(phases.tls) vs \(freshPhases.tls)")
    }

    @Test(.timeLimit(.minutes(1)))
    func aTargetThatDelaysItsAnswerShowsItUnderTimeToFirstByteNotConnect() async throws {
        let summary = try await run(
            Self.scenario(host: "http://x", headers: ", headers: { Connection: close }"),
            config: TargetConfig(delay: .milliseconds(50)))
        let phases = try #require(summary.total.phases)
        #expect(summary.total.failures == 0 && summary.total.requests >= 5, "\(summary.failuresByReason)")
        #expect(phases.ttfb.meanMs >= 48 && phases.ttfb.meanMs < 150, "\(phases.ttfb)")
        #expect(phases.ttfb.p95Ms >= 45, "\(phases.ttfb)")
        // Every request opened a connection (Connection: close), and none of the delay landed there.
        #expect(phases.connect.nonzero == summary.total.requests)
        // Under 5 ms on average; the p95 bound leaves room for a loaded machine, still far below the delay.
        #expect(phases.connect.meanMs < 5 && phases.connect.p95Ms < 25, "\(phases)")
        #expect(phases.tls.nonzero == 0, "no TLS over http://")
        #expect(phases.transfer.meanMs < 20, "the body follows its headers at once: \(phases.transfer)")
        // The target's 1,578-byte body plus its status line and headers, per request.
        let receivedEach = Double(phases.bytesReceived) / Double(phases.requests)
        #expect(receivedEach > 1600 && receivedEach < 2000, "\(receivedEach) bytes received per request")
    }

    @Test(.timeLimit(.minutes(1)))
    func bytesSentAndReceivedCountHeadersAndBodiesOnce() async throws {
        let body = String(repeating: "x", count: 1000)
        let summary = try await run(
            """
            host: http://x
            users: 1
            spawn_rate: 100
            duration: 1s
            wait: { constant: 20ms }
            tasks: [ { request: POST /login, body: "\(body)", content_type: text/plain } ]
            """)
        let phases = try #require(summary.total.phases)
        let requests = summary.total.requests
        #expect(requests >= 5 && summary.total.failures == 0, "\(summary.failuresByReason) \(phases)")
        // The 1,000-byte body once plus a request line and headers (well under 400 bytes), per request.
        let sentEach = Double(phases.bytesSent) / Double(requests)
        #expect(sentEach > 1050 && sentEach < 1400, "\(sentEach) bytes sent per request")
        // The target's 41-byte token plus its status line and headers.
        let receivedEach = Double(phases.bytesReceived) / Double(requests)
        #expect(receivedEach > 90 && receivedEach < 450, "\(receivedEach) bytes received per request")
    }
}
