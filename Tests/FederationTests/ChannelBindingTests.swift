import Foundation
import Glibc
import NIOCore
import NIOPosix
import Protocol
import TestSupport
import Testing

@testable import Federation

/// A fresh state directory under /tmp, removed by `remove()`.
struct StateFolder {
    let path: String

    init() throws {
        var template = Array("/tmp/loadd-identity-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw TestFailure("mkdtemp failed") }
        path = String(cString: made)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// A file's permission bits, `nil` when it cannot be stat'ed.
func permissions(_ path: String) -> mode_t? {
    var info = stat()
    return stat(path, &info) == 0 ? info.st_mode & 0o7777 : nil
}

/// Runs `openssl ARGS` and returns what it printed (stdout and stderr) and its exit status.
func openssl(_ arguments: [String], input: String = "") throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
    process.arguments = arguments
    let output = Pipe()
    let stdin = Pipe()
    process.standardOutput = output
    process.standardError = output
    process.standardInput = stdin
    try process.run()
    stdin.fileHandleForWriting.write(Data(input.utf8))
    try stdin.fileHandleForWriting.close()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, text)
}

/// The default fleet: a master with its own certificate, workers with no pin, the token handshake
/// bound to the TLS channel (`tls-server-end-point`).
@Suite(.serialized, .timeLimit(.minutes(1))) struct ChannelBindingTests {
    @Test func theMasterMakesItsCertificateOnceKeepsItsKeyPrivateAndReusesIt() throws {
        let state = try StateFolder()
        defer { state.remove() }
        let first = try MasterIdentity.loadOrCreate(stateDirectory: state.path, commonName: "loadd master m1")
        #expect(first.created)
        #expect(permissions(first.keyPath) == 0o600)
        #expect(permissions(state.path + "/tls") == 0o700)
        // openssl reads the certificate as written and agrees on the fingerprint.
        let printed = try openssl([
            "x509", "-in", first.certificatePath, "-noout", "-fingerprint", "-sha256", "-subject",
        ])
        #expect(printed.status == 0, "\(printed.output)")
        let line = printed.output.split(separator: "\n").first { $0.contains("Fingerprint=") }.map(String.init) ?? ""
        #expect(CertificateFingerprint(parsing: line) == first.tls.fingerprint)
        #expect(printed.output.contains("CN = loadd master m1"))
        #expect(try openssl(["pkey", "-in", first.keyPath, "-noout"]).status == 0)

        let again = try MasterIdentity.loadOrCreate(stateDirectory: state.path, commonName: "loadd master m1")
        #expect(!again.created)
        #expect(again.tls.fingerprint == first.tls.fingerprint)

        // A key someone made readable to every user is refused, with the fix.
        chmod(first.keyPath, 0o644)
        let loosened = #expect(throws: FederationError.self) {
            try MasterIdentity.loadOrCreate(stateDirectory: state.path, commonName: "x")
        }
        #expect(
            loosened?.description == "key \(first.keyPath) can be read or written by any user on this node "
                + "(mode 0644); fix it with: chown root:loadd \(first.keyPath) && chmod 0640 \(first.keyPath)")
        // Half an identity is never silently replaced: the message names what to remove.
        chmod(first.keyPath, 0o600)
        unlink(first.certificatePath)
        let half = #expect(throws: FederationError.self) {
            try MasterIdentity.loadOrCreate(stateDirectory: state.path, commonName: "x")
        }
        #expect(
            half?.description.hasPrefix("\(first.certificatePath) is missing but its pair is there; remove both")
                == true)
    }

    @Test func aWorkerWithoutAPinJoinsAMasterWithItsOwnCertificateOverTLS13Only() async throws {
        let state = try StateFolder()
        defer { state.remove() }
        let identity = try MasterIdentity.loadOrCreate(stateDirectory: state.path, commonName: "loadd master")
        let fleet = try await LoopbackMaster.start(tls: identity.tls)
        defer { Task { await fleet.close() } }
        let worker = await fleet.worker("bound", tls: try WorkerTLS(pin: nil))
        defer { Task { await worker.shutdown() } }
        try await eventually("the worker to join over TLS") { fleet.master.workers().map(\.node.rawValue) == ["bound"] }

        // The port speaks TLS 1.3 and nothing older.
        let port = fleet.port
        let modern = try await offload { try openssl(["s_client", "-connect", "127.0.0.1:\(port)", "-tls1_3"]) }
        #expect(modern.output.contains("TLSv1.3"), "\(modern.output)")
        let old = try await offload { try openssl(["s_client", "-connect", "127.0.0.1:\(port)", "-tls1_2"]) }
        #expect(old.status != 0)
        #expect(!old.output.contains("Cipher is ECDHE"), "\(old.output)")
    }

    @Test func aRelayWithItsOwnCertificateCannotCompleteTheHandshakeAndTheWorkerSaysWhy() async throws {
        let (masterState, relayState) = (try StateFolder(), try StateFolder())
        defer { masterState.remove(); relayState.remove() }
        let identity = try MasterIdentity.loadOrCreate(stateDirectory: masterState.path, commonName: "loadd master")
        let relayIdentity = try MasterIdentity.loadOrCreate(stateDirectory: relayState.path, commonName: "loadd master")
        let masterLog = CapturedLog()
        let fleet = try await LoopbackMaster.start(tls: identity.tls, log: masterLog)
        defer { Task { await fleet.close() } }
        let relayGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let relay = try await TLSRelay(group: relayGroup, identity: relayIdentity.tls, masterPort: fleet.port)
        defer {
            Task {
                await relay.close(); try? await relayGroup.shutdownGracefully()
            }
        }

        let workerLog = CapturedLog()
        let relayed = await fleet.worker("relayed", tls: try WorkerTLS(pin: nil), port: relay.port, log: workerLog)
        defer { Task { await relayed.shutdown() } }
        // The relay reaches the master (its TLS handshake succeeds, the hello gets a challenge), but
        // the master's proof is bound to its own certificate, which the worker never saw.
        try await eventually("the worker to refuse the relayed master") {
            workerLog.contains(
                "the master could not prove it holds the token for this TLS connection "
                    + "(the TLS peer's certificate \(relayIdentity.tls.fingerprint)): token_file differs "
                    + "between master and worker, or the connection ends at a relay or proxy that is not "
                    + "the master (channel binding)")
        }
        try await eventually("the master to see the worker hang up after its challenge") {
            masterLog.contains("worker hung up during the handshake")
        }
        #expect(fleet.master.workers().isEmpty)

        // The same worker, dialling the master itself, joins: only the relay was in the way.
        let direct = await fleet.worker("direct", tls: try WorkerTLS(pin: nil))
        defer { Task { await direct.shutdown() } }
        try await eventually("the direct worker to join") { fleet.master.workers().map(\.node.rawValue) == ["direct"] }
    }

    @Test func aWorkerProofBoundToAnotherCertificateIsRefusedByTheMaster() {
        // The master's side of the same defence: a proof made for the relay's channel does not pass.
        let masterCertificate = ChannelBinding.serverEndPoint(CertificateFingerprint(der: [1, 2, 3]))
        let relayCertificate = ChannelBinding.serverEndPoint(CertificateFingerprint(der: [4, 5, 6]))
        var master = MasterHandshake(token: testToken, binding: masterCertificate)
        let hello = Hello(
            node: NodeID(rawValue: "w"), loaddVersion: "test", cores: 1, threads: 1, maxUsers: 1,
            weight: 1, nonce: FleetToken.nonce())
        guard case .reply(.challenge(let challenge)) = master.receive(.hello(hello)) else {
            Issue.record("no challenge")
            return
        }
        let relayedProof = testToken.workerProof(
            masterNonce: challenge.nonce, node: hello.node, binding: relayCertificate)
        guard case .refuse(_, let reason) = master.receive(.proof(Proof(mac: relayedProof))) else {
            Issue.record("a proof bound to another certificate was accepted")
            return
        }
        #expect(
            reason == "authentication failed for worker w: wrong token, or its TLS connection ends at a relay, not here"
        )
        // A proof made for plain TCP does not pass on a TLS channel; one bound to the master's certificate does.
        #expect(
            !testToken.verifyWorker(
                testToken.workerProof(masterNonce: challenge.nonce, node: hello.node),
                masterNonce: challenge.nonce, node: hello.node, binding: masterCertificate))
        #expect(
            testToken.verifyWorker(
                testToken.workerProof(masterNonce: challenge.nonce, node: hello.node, binding: masterCertificate),
                masterNonce: challenge.nonce, node: hello.node, binding: masterCertificate))
    }

    @Test func plainAndTLSSidesDoNotMixAndEachSideSaysWhatToChange() async throws {
        let state = try StateFolder()
        defer { state.remove() }
        let identity = try MasterIdentity.loadOrCreate(stateDirectory: state.path, commonName: "loadd master")
        // A TLS worker (the default) at a plain-TCP master.
        let plainMasterLog = CapturedLog()
        let plainFleet = try await LoopbackMaster.start(log: plainMasterLog)
        defer { Task { await plainFleet.close() } }
        let tlsWorkerLog = CapturedLog()
        let tlsWorker = await plainFleet.worker("tls", tls: try WorkerTLS(pin: nil), log: tlsWorkerLog)
        defer { Task { await tlsWorker.shutdown() } }
        try await eventually("the TLS worker to say the master may be plain") {
            tlsWorkerLog.contains("no TLS handshake with the master")
                && tlsWorkerLog.contains("if the master has insecure_plaintext: true, set it here too")
        }
        #expect(plainMasterLog.contains("the peer speaks TLS but this side has insecure_plaintext: true"))

        // A plain worker (insecure_plaintext: true) at a TLS master (the default).
        let tlsMasterLog = CapturedLog()
        let tlsFleet = try await LoopbackMaster.start(tls: identity.tls, log: tlsMasterLog)
        defer { Task { await tlsFleet.close() } }
        let plainWorkerLog = CapturedLog()
        let plainWorker = await tlsFleet.worker("plain", log: plainWorkerLog)
        defer { Task { await plainWorker.shutdown() } }
        try await eventually("the TLS master to name the plain worker's setting") {
            tlsMasterLog.contains("if the worker has insecure_plaintext: true, remove it (this master speaks TLS)")
        }
        try await eventually("the plain worker to say the master may speak TLS") {
            plainWorkerLog.contains("the peer speaks TLS but this side has insecure_plaintext: true")
                || plainWorkerLog.contains(
                    "if it speaks TLS (the default), remove insecure_plaintext: from this worker")
        }
        #expect(plainFleet.master.workers().isEmpty && tlsFleet.master.workers().isEmpty)
    }
}
