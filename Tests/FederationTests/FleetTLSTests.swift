import Federation
import Foundation
import NIOCore
import NIOEmbedded
import Protocol
import TestSupport
import Testing

/// A self-signed certificate made the way the README tells operators to: one `openssl` command.
struct TestCertificate {
    let certificate: String
    let key: String
    let directory: String

    init(name: String = "loadd-master") throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("loadd-tls-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        certificate = directory + "/tls.crt"
        key = directory + "/tls.key"
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", key, "-out", certificate, "-days", "2", "-subj", "/CN=\(name)",
        ]
        openssl.standardOutput = FileHandle.nullDevice
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        guard openssl.terminationStatus == 0 else { throw TestFailure("openssl req failed") }
    }

    /// What `openssl x509 -fingerprint -sha256` prints for it, as an operator would copy it.
    func opensslFingerprint() throws -> String {
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = ["x509", "-in", certificate, "-noout", "-fingerprint", "-sha256"]
        let pipe = Pipe()
        openssl.standardOutput = pipe
        try openssl.run()
        openssl.waitUntilExit()
        return String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }
}

@Suite(.serialized, .timeLimit(.minutes(1))) struct FleetTLSTests {
    @Test func fingerprintsReadTheFormsOperatorsCopyAndPrintAsOpensslDoes() throws {
        let certificate = try TestCertificate()
        defer { certificate.remove() }
        let line = try certificate.opensslFingerprint()   // "sha256 Fingerprint=AB:CD:…\n"
        let pin = try #require(CertificateFingerprint(parsing: line))
        #expect(try MasterTLS.load(certificate: certificate.certificate, key: certificate.key).fingerprint == pin)
        #expect(line.hasSuffix("=\(pin)\n"))
        let hex = pin.description.replacingOccurrences(of: ":", with: "")
        #expect(CertificateFingerprint(parsing: hex.lowercased()) == pin)
        #expect(CertificateFingerprint(parsing: "sha256:" + hex) == pin)
        #expect(CertificateFingerprint(parsing: String(hex.dropLast(2))) == nil)
        #expect(CertificateFingerprint(parsing: String(hex.dropLast()) + "g") == nil)
    }

    @Test func aWorkerPinningTheMastersCertificateJoinsOverTLS() async throws {
        let certificate = try TestCertificate()
        defer { certificate.remove() }
        let tls = try MasterTLS.load(certificate: certificate.certificate, key: certificate.key)
        let fleet = try await LoopbackMaster.start(tls: tls)
        defer { Task { await fleet.close() } }
        let worker = await fleet.worker("pinned", tls: try WorkerTLS(pin: tls.fingerprint))
        defer { Task { await worker.shutdown() } }
        try await eventually("the pinned worker to join") { fleet.master.workers().map(\.node.rawValue) == ["pinned"] }
    }

    @Test func aWorkerRefusesAMasterWithAnotherCertificateAndSaysWhich() async throws {
        let served = try TestCertificate()
        let other = try TestCertificate(name: "impostor")
        defer { served.remove(); other.remove() }
        let tls = try MasterTLS.load(certificate: served.certificate, key: served.key)
        let wrongPin = try MasterTLS.load(certificate: other.certificate, key: other.key).fingerprint
        let fleet = try await LoopbackMaster.start(tls: tls)
        defer { Task { await fleet.close() } }
        let worker = await fleet.worker("suspicious", tls: try WorkerTLS(pin: wrongPin))
        let events = EventLog(worker)
        defer { Task { await worker.shutdown() } }
        try await eventually("the refusal") { !events.refusals.isEmpty }
        #expect(
            events.refusals.first
                == "the master's certificate has fingerprint \(tls.fingerprint), but tls_fingerprint is \(wrongPin)")
        #expect(fleet.master.workers().isEmpty)
    }

    @Test func plainAndTLSPeersDoNotMixAndTheMasterServesOn() async throws {
        let certificate = try TestCertificate()
        defer { certificate.remove() }
        let tls = try MasterTLS.load(certificate: certificate.certificate, key: certificate.key)
        // A plain worker at a TLS master: the handshake fails on the master, which says why and serves on.
        let log = CapturedLog()
        let tlsFleet = try await LoopbackMaster.start(tls: tls, log: log)
        defer { Task { await tlsFleet.close() } }
        let plain = await tlsFleet.worker("plain")
        defer { Task { await plain.shutdown() } }
        try await eventually("the master to close the plain worker's connection") {
            log.contains("): if the worker has insecure_plaintext: true, remove it (this master speaks TLS)")
        }
        #expect(tlsFleet.master.workers().isEmpty)
        let good = await tlsFleet.worker("good", tls: try WorkerTLS(pin: tls.fingerprint))
        defer { Task { await good.shutdown() } }
        try await eventually("the TLS worker to join") { tlsFleet.master.workers().map(\.node.rawValue) == ["good"] }

        // A TLS worker at a plain master: the master names the mismatch instead of a huge frame.
        let plainFleet = try await LoopbackMaster.start()
        defer { Task { await plainFleet.close() } }
        let raw = try RawFrameClient(port: plainFleet.port)
        raw.sendRaw([0x16, 0x03, 0x01, 0x02, 0x00, 0x01])   // the start of a TLS ClientHello
        #expect(try await raw.receiveUntilClosed().isEmpty)
        let decoder = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder()))
        #expect(throws: FrameError.unexpectedTLS) {
            try decoder.writeInbound(ByteBuffer(bytes: [0x16, 0x03, 0x01, 0x02, 0x00, 0x01]))
        }
        #expect(
            FrameError.unexpectedTLS.description == "the peer speaks TLS but this side has insecure_plaintext: true; "
                + "set the same on master and workers (TLS is the default)")
    }

    @Test func unreadableCertificateOrKeyFilesAreNamed() throws {
        let certificate = try TestCertificate()
        defer { certificate.remove() }
        #expect(throws: FederationError.self) {
            try MasterTLS.load(certificate: "/nonexistent/tls.crt", key: certificate.key)
        }
        chmod(certificate.certificate, 0o600)   // passes the permission check, so the content is what fails
        do {
            _ = try MasterTLS.load(certificate: certificate.certificate, key: certificate.certificate)
            Issue.record("a certificate is not a key")
        } catch {
            #expect(error.description.hasPrefix("tls_key \(certificate.certificate): not a readable PEM private key"))
        }
    }
}
