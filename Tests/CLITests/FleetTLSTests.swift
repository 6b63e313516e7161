import Foundation
import Glibc
import Protocol
import TestSupport
import Testing

/// `openssl req -x509 …` into `directory` (the README's command), and the certificate's SHA-256
/// fingerprint line as `openssl x509 -fingerprint -sha256` prints it.
private func selfSignedCertificate(
    in directory: String, name: String
) throws -> (cert: String, key: String, fingerprint: String) {
    let (cert, key) = (directory + "/\(name).crt", directory + "/\(name).key")
    func openssl(_ arguments: [String]) throws -> String {
        let output = directory + "/openssl.out"
        let child = try ChildProcess("/usr/bin/openssl", arguments, outputPath: output)
        guard child.waitForExit() == 0 else { throw DaemonTestError("openssl \(arguments[0]) failed: \(child.output)") }
        return child.output
    }
    _ = try openssl([
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=\(name)",
    ])
    let line = try openssl(["x509", "-in", cert, "-noout", "-fingerprint", "-sha256"])
    return (cert, key, String(line.split(separator: "=").last ?? "").trimmingCharacters(in: .whitespacesAndNewlines))
}

/// `openssl ARGS` once `path`'s file exists (the master makes it as it starts), its output.
private func opensslOutput(_ arguments: [String], in fixture: DaemonFixture) throws -> String {
    let file = arguments[arguments.firstIndex(of: "-in")! + 1]
    try eventually("\(file) to exist") { FileManager.default.fileExists(atPath: file) }
    let child = try ChildProcess("/usr/bin/openssl", arguments, outputPath: fixture.directory + "/openssl.out")
    guard child.waitForExit() == 0 else { throw DaemonTestError("openssl failed: \(child.output)") }
    return child.output
}

extension DaemonTests {
    /// The fleet over TLS between real daemons: a pinned worker joins and runs, a worker pinning
    /// another certificate says which it saw, and half a TLS config stops the daemon at start.
    @Suite struct FleetTLS {
        @Test func aFleetOverTLSRunsAndAWrongPinIsRefusedWithBothFingerprints() throws {
            let scratch = try DaemonFixture()   // only its folder, kept for the test's length
            let served = try selfSignedCertificate(in: scratch.directory, name: "master")
            let other = try selfSignedCertificate(in: scratch.directory, name: "impostor")
            let fleet = try FleetCluster(masterSettings: "tls_cert: \(served.cert)\ntls_key: \(served.key)")
            let target = try TargetProcess(directory: fleet.master.directory)
            try eventually("the master to log its fingerprint") {
                fleet.master.daemon?.output.contains(served.fingerprint) == true
            }
            try fleet.addWorker("pinned", settings: "tls_fingerprint: \(served.fingerprint)")
            try fleet.waitForWorkers(["pinned"])
            let info = try fleet.master.startRun(target.scenario(users: 2, duration: "2s")).decode(RunInfo.self)
            #expect(try finishedSummary(info.id, on: fleet.master).total.requests > 0)

            let wary = try fleet.addWorker("wary", settings: "tls_fingerprint: \(other.fingerprint)")
            try eventually("the wary worker to refuse the master") {
                wary.daemon?.output.contains(
                    "not joining this master: the master's certificate has fingerprint "
                        + "\(served.fingerprint), but tls_fingerprint is \(other.fingerprint)") == true
            }
            #expect(try fleet.listed().map(\.node.rawValue) == ["pinned"])
        }

        @Test func aDefaultFleetSpeaksTLSWithTheMastersOwnCertificateKeptAcrossRestarts() throws {
            let fleet = try FleetCluster()
            let target = try TargetProcess(directory: fleet.master.directory)
            let certificate = fleet.master.stateDir + "/tls/master.crt"
            let key = fleet.master.stateDir + "/tls/master.key"
            let line = try opensslOutput(
                ["x509", "-in", certificate, "-noout", "-fingerprint", "-sha256"], in: fleet.master)
            let fingerprint = String(line.split(separator: "=").last ?? "").trimmingCharacters(
                in: .whitespacesAndNewlines)
            #expect(fingerprint.count == 95)
            try eventually("the master to log its new certificate") {
                fleet.master.daemon?.output.contains("made this master's TLS key and self-signed certificate") == true
            }
            #expect(fleet.master.daemon?.output.contains("tls_fingerprint=\(fingerprint)") == true)
            var info = stat()
            let found = stat(key, &info) == 0
            #expect(found && info.st_mode & 0o777 == 0o600)

            // A worker with only master: and token_file: joins and runs: no pin, no certificate to copy.
            try fleet.addWorker("w1")
            try fleet.waitForWorkers(["w1"])
            let info1 = try fleet.master.startRun(target.scenario(users: 2, duration: "1s")).decode(RunInfo.self)
            #expect(try finishedSummary(info1.id, on: fleet.master).total.requests > 0)

            // A restart serves the same certificate; the worker comes back by itself.
            #expect(fleet.master.stopDaemon() == 0)
            try fleet.startMaster()
            try eventually("the master to serve its kept certificate") {
                fleet.master.daemon?.output.contains("serving this master's TLS certificate") == true
            }
            #expect(fleet.master.daemon?.output.contains("tls_fingerprint=\(fingerprint)") == true)
            #expect(fleet.master.daemon?.output.contains("made this master's TLS key") == false)
            try fleet.waitForWorkers(["w1"], timeout: .seconds(20))

            // A key later made readable to everyone stops the master, with the fix.
            #expect(fleet.master.stopDaemon() == 0)
            chmod(key, 0o644)
            let refused = try fleet.master.startDaemon(
                ["--config", fleet.master.directory + "/loadd.yaml"],
                waitUntilServing: false)
            #expect(refused.waitForExit() == 1)
            #expect(
                refused.output.contains(
                    "key \(key) can be read or written by any user on this node (mode 0644); "
                        + "fix it with: chown root:loadd \(key) && chmod 0640 \(key)"), "\(refused.output)")
        }

        @Test func insecurePlaintextOnBothSidesJoinsAndWarnsAtEveryStart() throws {
            let fleet = try FleetCluster(masterSettings: "insecure_plaintext: true")
            let worker = try fleet.addWorker("plain", settings: "insecure_plaintext: true")
            try fleet.waitForWorkers(["plain"])
            let masterWarning =
                "insecure_plaintext: true: workers connect over plain TCP; scenarios, their secrets "
                + "and statistics cross the network unencrypted"
            #expect(fleet.master.daemon?.output.contains(masterWarning) == true)
            #expect(
                worker.daemon?.output.contains(
                    "insecure_plaintext: true: this worker speaks to its master over "
                        + "plain TCP") == true)
            #expect(!FileManager.default.fileExists(atPath: fleet.master.stateDir + "/tls/master.key"))
            #expect(fleet.master.stopDaemon() == 0)
            try fleet.startMaster()
            #expect(fleet.master.daemon?.output.contains(masterWarning) == true)
            try fleet.waitForWorkers(["plain"], timeout: .seconds(20))
        }

        @Test func halfATLSConfigOrABadFingerprintStopsStartUp() throws {
            let fixture = try DaemonFixture()
            let config = "\(fixture.directory)/loadd.yaml"
            let token = "\(fixture.directory)/token"
            try "a-test-token-long-enough-to-pass\n".write(toFile: token, atomically: true, encoding: .utf8)
            chmod(token, 0o600)   // loadd refuses a token file others can read
            func refusal(_ yaml: String) throws -> String {
                try yaml.write(toFile: config, atomically: true, encoding: .utf8)
                let child = try fixture.startDaemon(["--config", config], waitUntilServing: false)
                #expect(child.waitForExit() == 1, "loadd should refuse: \(child.output)")
                return child.output
            }
            let master = "listen: 127.0.0.1:\(try freeLoopbackPort())\ntoken_file: \(token)\n"
            #expect(
                try refusal(master + "tls_cert: /etc/loadd/tls.crt\n").contains("tls_cert: and tls_key: go together"))
            #expect(
                try refusal(master + "tls_cert: /nonexistent/tls.crt\ntls_key: /nonexistent/tls.key\n")
                    .contains("tls_cert /nonexistent/tls.crt: not a readable PEM certificate"))
            #expect(
                try refusal(master + "tls_fingerprint: \(String(repeating: "ab", count: 32))\n")
                    .contains("tls_fingerprint: is a worker's pin of its master's certificate"))
            let worker = "master: 127.0.0.1:7557\ntoken_file: \(token)\n"
            #expect(
                try refusal(worker + "tls_cert: /etc/loadd/tls.crt\ntls_key: /etc/loadd/tls.key\n")
                    .contains("tls_cert:/tls_key: are the master's"))
            #expect(
                try refusal(worker + "tls_fingerprint: AB:CD\n")
                    .contains("\(config):3:18: tls_fingerprint: expected the master certificate's SHA-256 fingerprint"))
            #expect(
                try refusal(worker + "insecure_plaintext: yes\n")
                    .contains("\(config):3:21: insecure_plaintext: expected true or false, got 'yes'"))
            #expect(
                try refusal(
                    worker + "insecure_plaintext: true\ntls_fingerprint: \(String(repeating: "ab", count: 32))\n"
                )
                .contains("insecure_plaintext: true and tls_fingerprint: contradict each other"))
            #expect(
                try refusal(
                    master + "insecure_plaintext: true\ntls_cert: /etc/loadd/tls.crt\ntls_key: /etc/loadd/tls.key\n"
                )
                .contains("insecure_plaintext: true and tls_cert:/tls_key: contradict each other"))
        }
    }
}
