import Foundation
import Testing

@testable import Engine

/// `http:` and `tls:`: each bad value is named with its line, column and field; good ones reach the plan.
@Suite struct TransportScenarioTests {
    let directory: String

    init() throws {
        directory = NSTemporaryDirectory() + "loadd-tls-scenario-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
        try pem.write(toFile: "\(directory)/ca.pem", atomically: true, encoding: .utf8)
        try pem.write(toFile: "\(directory)/client.pem", atomically: true, encoding: .utf8)
        try "-----BEGIN EC PRIVATE KEY-----\nMHc\n-----END EC PRIVATE KEY-----\n"
            .write(toFile: "\(directory)/client.key", atomically: true, encoding: .utf8)
        try "just,a,csv\n".write(toFile: "\(directory)/notes.txt", atomically: true, encoding: .utf8)
    }

    private func load(_ yaml: String) throws -> Plan {
        try ScenarioLoader.load(
            yaml: "host: https://h\n" + yaml + "\ntasks: [{ request: GET / }]\n",
            file: "\(directory)/s.yaml", baseDirectory: directory)
    }

    private func errors(_ yaml: String) -> [ScenarioError] {
        do {
            _ = try load(yaml)
            return []
        } catch let errors as ScenarioErrors {
            return errors.errors
        } catch {
            return [ScenarioError(file: "", line: 0, column: 0, field: "", message: "\(error)")]
        }
    }

    @Test func goodSettingsReachThePlan() throws {
        let plan = try load(
            "http: 2\ntls: { ca_file: ca.pem, client_cert: client.pem, client_key: client.key, server_name: api.example.com }"
        )
        #expect(plan.transport.http == .http2)
        #expect(
            plan.transport.tls.caPEM.map { String(decoding: $0, as: UTF8.self) }?.contains("BEGIN CERTIFICATE") == true)
        #expect(plan.transport.tls.clientKeyPEM != nil && plan.transport.tls.clientCertPEM != nil)
        #expect(plan.transport.tls.serverName == "api.example.com")
        #expect(plan.requestHost == "https://api.example.com:443")
        #expect(try load("http: 1.1").transport.http == .http1)
        #expect(try load("").transport == TransportPlan())
        #expect(try load("tls: { insecure: true }").transport.tls.insecure)
    }

    @Test(
        arguments: [
            ("http: 3", 2, 7, "http", "expected 1.1 or 2"),
            ("tls: { ca_fle: ca.pem }", 2, 8, "tls.ca_fle", "did you mean 'ca_file'?"),
            ("tls:\n  ca_file: missing.pem", 3, 12, "tls.ca_file", "missing.pem: it does not exist"),
            ("tls: { ca_file: notes.txt }", 2, 17, "tls.ca_file", "notes.txt holds no PEM certificate"),
            ("tls: { client_cert: client.pem }", 2, 8, "tls.client_key", "required with client_cert"),
            (
                "tls: { client_cert: client.pem, client_key: ca.pem }", 2, 45, "tls.client_key",
                "holds no PEM private key"
            ),
            ("tls: { insecure: yes please }", 2, 18, "tls.insecure", "expected true or false"),
            ("tls: { ca_file: ca.pem, insecure: true }", 2, 25, "tls.insecure", "not both"),
            ("tls: { server_name: 'a b:443' }", 2, 21, "tls.server_name", "expected a DNS name"),
        ] as [(String, Int, Int, String, String)])
    func badValuesAreLocatedAndNamed(_ yaml: String, _ line: Int, _ column: Int, _ field: String, _ message: String) {
        let found = errors(yaml)
        #expect(found.count == 1, "\(found)")
        guard let error = found.first else { return }
        #expect(error.line == line && error.column == column, "\(error)")
        #expect(error.field == field, "\(error)")
        #expect(error.message.contains(message), "\(error)")
    }

    @Test func serverNameKeepsTheHostsPortAndPath() throws {
        var plan = try load("tls: { server_name: target.test }")
        plan.host = "https://127.0.0.1:8443/base"
        #expect(plan.requestHost == "https://target.test:8443/base")
        plan.host = "https://[::1]"
        #expect(plan.requestHost == "https://target.test:443")
    }
}
