import Foundation
import Glibc
import Protocol
import Testing

/// `openssl req -x509 …` into `directory` (the README's command), and the certificate's SHA-256
/// fingerprint line as `openssl x509 -fingerprint -sha256` prints it.
private func selfSignedCertificate(in directory: String, name: String) throws -> (cert: String, key: String, fingerprint: String) {
    let (cert, key) = (directory + "/\(name).crt", directory + "/\(name).key")
    func openssl(_ arguments: [String]) throws -> String {
        let output = directory + "/openssl.out"
        let child = try ChildProcess("/usr/bin/openssl", arguments, outputPath: output)
        guard child.waitForExit() == 0 else { throw DaemonTestError("openssl \(arguments[0]) failed: \(child.output)") }
        return child.output
    }
    _ = try openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                     "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=\(name)"])
    let line = try openssl(["x509", "-in", cert, "-noout", "-fingerprint", "-sha256"])
    return (cert, key, String(line.split(separator: "=").last ?? "").trimmingCharacters(in: .whitespacesAndNewlines))
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
                wary.daemon?.output.contains("not joining this master: the master's certificate has fingerprint "
                                             + "\(served.fingerprint), but tls_fingerprint is \(other.fingerprint)") == true
            }
            #expect(try fleet.listed().map(\.node.rawValue) == ["pinned"])
        }

        @Test func halfATLSConfigOrABadFingerprintStopsStartUp() throws {
            let fixture = try DaemonFixture()
            let config = "\(fixture.directory)/loadd.yaml"
            let token = "\(fixture.directory)/token"
            try "a-test-token-long-enough-to-pass\n".write(toFile: token, atomically: true, encoding: .utf8)
            chmod(token, 0o600)  // loadd refuses a token file others can read
            func refusal(_ yaml: String) throws -> String {
                try yaml.write(toFile: config, atomically: true, encoding: .utf8)
                let child = try fixture.startDaemon(["--config", config], waitUntilServing: false)
                #expect(child.waitForExit() == 1, "loadd should refuse: \(child.output)")
                return child.output
            }
            let master = "listen: 127.0.0.1:\(try freeLoopbackPort())\ntoken_file: \(token)\n"
            #expect(try refusal(master + "tls_cert: /etc/loadd/tls.crt\n").contains("tls_cert: and tls_key: go together"))
            #expect(try refusal(master + "tls_cert: /nonexistent/tls.crt\ntls_key: /nonexistent/tls.key\n")
                .contains("tls_cert /nonexistent/tls.crt: not a readable PEM certificate"))
            #expect(try refusal(master + "tls_fingerprint: \(String(repeating: "ab", count: 32))\n")
                .contains("tls_fingerprint: is a worker's pin of its master's certificate"))
            let worker = "master: 127.0.0.1:7557\ntoken_file: \(token)\n"
            #expect(try refusal(worker + "tls_cert: /etc/loadd/tls.crt\ntls_key: /etc/loadd/tls.key\n")
                .contains("tls_cert:/tls_key: are the master's"))
            #expect(try refusal(worker + "tls_fingerprint: AB:CD\n")
                .contains("\(config):3:18: tls_fingerprint: expected the master certificate's SHA-256 fingerprint"))
        }
    }
}
