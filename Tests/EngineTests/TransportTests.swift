import Protocol
import TargetServer
import TestSupport
import Testing

@testable import Engine

/// TLS and HTTP/2 over real libcurl against the built-in target: the target serves HTTPS with a
/// CA made by the test, and reports which protocol it saw.
@Suite(.serialized) struct TransportTests {
    /// Runs `yaml` (its files read from `directory`) against a target started with `tls`.
    private func run(
        _ yaml: String, directory: String = ".", tls: TargetTLS? = nil,
        host: ((TargetServer) -> String)? = nil
    ) async throws -> (RunSummary, ProtocolStats) {
        let target = try await TargetServer.start(TargetConfig(), tls: tls)
        var plan = try ScenarioLoader.load(yaml: yaml, file: "\(directory)/test.yaml", baseDirectory: directory)
        plan.host = host?(target) ?? target.baseURL
        let engine = try Engine(plan: plan, options: EngineOptions(threads: 1))
        engine.start()
        let summary = await engine.finished()
        let seen = target.protocolStats()
        try await target.stop()
        return (summary, seen)
    }

    /// Long enough for more than 200 requests on one HTTP/2 connection (NIOHTTP2's reset-frame limit).
    private static let load = """
        users: 3
        spawn_rate: 100
        duration: 2s
        wait: { constant: 5ms }
        tasks: [ { request: GET /Test/V1 } ]
        """

    @Test(.timeLimit(.minutes(1)))
    func http11StaysTheDefaultAndHTTP2SpeaksH2cToTheTarget() async throws {
        let (plain, plainSeen) = try await run("host: http://x\n" + Self.load)
        #expect(plain.total.requests > 20 && plain.total.failures == 0)
        #expect(plainSeen.http2Connections == 0 && plainSeen.http1Connections > 0)

        let (h2, h2Seen) = try await run("host: http://x\nhttp: 2\n" + Self.load)
        #expect(h2.total.requests > 20 && h2.total.failures == 0, "\(h2.failuresByReason)")
        #expect(h2Seen.http1Connections == 0)
        if EngineTransport.reusesCleartextHTTP2 {
            #expect(h2Seen.http2Connections >= 1 && h2Seen.http2Connections <= 3, "one connection per user at most")
        } else {
            // libcurl < 8.0 cannot reuse an h2c connection: one per request, and none fails.
            #expect(UInt64(h2Seen.http2Connections) >= h2.total.requests)
        }
        #expect(UInt64(h2Seen.http2Requests) >= h2.total.requests)
        #expect(h2.endpoints.first?.avgBytes == 1578, "bodies arrive whole over h2")
    }

    @Test(.enabled(if: TestCA.available, "needs the openssl command"), .timeLimit(.minutes(1)))
    func httpsVerifiesAgainstTheScenariosCAAndNegotiatesH2ByALPN() async throws {
        let ca = try TestCA()
        defer { ca.remove() }
        let tls = TargetTLS(certificatePath: ca.serverCert, privateKeyPath: ca.serverKey)
        let (trusted, seen11) = try await run(
            "host: https://x\ntls: { ca_file: ca.pem }\n" + Self.load,
            directory: ca.directory, tls: tls)
        #expect(trusted.total.requests > 20 && trusted.total.failures == 0, "\(trusted.failuresByReason)")
        #expect(seen11.http2Connections == 0)

        let (h2, seenH2) = try await run(
            "host: https://x\nhttp: 2\ntls: { ca_file: ca.pem }\n" + Self.load,
            directory: ca.directory, tls: tls)
        #expect(h2.total.requests > 20 && h2.total.failures == 0, "\(h2.failuresByReason)")
        #expect(
            seenH2.http2Connections >= 1 && seenH2.http2Connections <= 3 && seenH2.http1Connections == 0,
            "one HTTP/2 connection per user, reused: \(seenH2)")
        #expect(UInt64(seenH2.http2Requests) >= h2.total.requests)

        let (insecure, _) = try await run("host: https://x\ntls: { insecure: true }\n" + Self.load, tls: tls)
        #expect(insecure.total.requests > 20 && insecure.total.failures == 0, "\(insecure.failuresByReason)")
    }

    @Test(.enabled(if: TestCA.available, "needs the openssl command"), .timeLimit(.minutes(1)))
    func anUntrustedCertificateFailsWithLibcurlsOwnWords() async throws {
        let ca = try TestCA()
        defer { ca.remove() }
        let tls = TargetTLS(certificatePath: ca.serverCert, privateKeyPath: ca.serverKey)
        let (summary, _) = try await run("host: https://x\n" + Self.load, tls: tls)
        #expect(summary.total.requests > 0 && summary.total.failures == summary.total.requests)
        let reason = summary.failuresByReason.first?.reason ?? ""
        #expect(reason.hasPrefix("TLS error: SSL certificate problem: "), "\(summary.failuresByReason)")
    }

    @Test(.enabled(if: TestCA.available, "needs the openssl command"), .timeLimit(.minutes(1)))
    func serverNameIsWhatSNIAndTheCertificateCheckUse() async throws {
        let ca = try TestCA()
        defer { ca.remove() }
        // A certificate valid only for target.test, served on 127.0.0.1.
        let tls = TargetTLS(certificatePath: ca.namedCert, privateKeyPath: ca.namedKey)
        let (wrongName, _) = try await run(
            "host: https://x\ntls: { ca_file: ca.pem }\n" + Self.load,
            directory: ca.directory, tls: tls)
        #expect(wrongName.total.failures == wrongName.total.requests && wrongName.total.requests > 0)
        #expect(
            wrongName.failuresByReason.first?.reason.contains("target host name '127.0.0.1'") == true,
            "\(wrongName.failuresByReason)")

        let (named, _) = try await run(
            "host: https://x\ntls: { ca_file: ca.pem, server_name: target.test }\n" + Self.load,
            directory: ca.directory, tls: tls)
        #expect(named.total.requests > 20 && named.total.failures == 0, "\(named.failuresByReason)")
    }

    @Test(.enabled(if: TestCA.available, "needs the openssl command"), .timeLimit(.minutes(1)))
    func aTargetThatRequiresAClientCertificateGetsOneFromTheScenario() async throws {
        let ca = try TestCA()
        defer { ca.remove() }
        let tls = TargetTLS(certificatePath: ca.serverCert, privateKeyPath: ca.serverKey, clientCAPath: ca.caPEM)
        let (withCert, _) = try await run(
            "host: https://x\ntls: { ca_file: ca.pem, client_cert: client.pem, client_key: client.key }\n" + Self.load,
            directory: ca.directory, tls: tls)
        #expect(withCert.total.requests > 20 && withCert.total.failures == 0, "\(withCert.failuresByReason)")

        let (without, _) = try await run(
            "host: https://x\ntls: { ca_file: ca.pem }\n" + Self.load,
            directory: ca.directory, tls: tls)
        #expect(without.total.requests > 0 && without.total.failures == without.total.requests)
        let reason = without.failuresByReason.first?.reason ?? ""
        #expect(
            reason.hasPrefix("TLS error: ") && reason.count > "TLS error: ".count + 5, "\(without.failuresByReason)")
    }
}
