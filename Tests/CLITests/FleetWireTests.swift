import Foundation
import Glibc
import Protocol
import TestSupport
import Testing

extension FleetNetns {
    static let tcpdump = ["/usr/bin/tcpdump", "/usr/sbin/tcpdump"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// The namespaces, and tcpdump to see what crosses the test network.
    static let captureRequirement = SystemRequirement(
        requirement.unmet.map { Optional($0) } + [
            tcpdump == nil ? "tcpdump not found (apt-get install tcpdump)" : nil
        ])
}

/// Whether `needle` occurs in `haystack`.
private func occurs(_ needle: [UInt8], in haystack: [UInt8]) -> Bool {
    count(needle, in: haystack) > 0
}

private func count(_ needle: [UInt8], in haystack: [UInt8]) -> Int {
    guard !needle.isEmpty, haystack.count >= needle.count else { return 0 }
    var found = 0
    for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
        if haystack[start..<(start + needle.count)].elementsEqual(needle) { found += 1 }
    }
    return found
}

extension DaemonTests.FleetNamespaces {
    /// What a default fleet puts on the network, seen by tcpdump in the master's namespace: a TLS
    /// handshake, then TLS records only. The scenario's text (and a header value in it) and a
    /// `--secret-var` value cross to the worker inside an assignment, so a plain-TCP fleet would show
    /// them in the capture.
    @Test(.enabled(if: FleetNetns.captureRequirement.met, FleetNetns.captureRequirement.reason))
    func aDefaultFleetsTrafficIsTLSWithNoScenarioTextOrSecretOnTheWire() throws {
        try FleetNetns.run("up")
        var children: [ChildProcess] = []
        defer {
            for child in children where child.process.isRunning { child.signal(SIGKILL) }
            try? FleetNetns.run("down")
        }
        let folder = try DaemonFixture()
        let token = folder.directory + "/token"
        try "wire-test-token-\(UUID().uuidString)\n".write(toFile: token, atomically: true, encoding: .utf8)
        chmod(token, 0o600)
        children.append(
            try FleetNetns.spawn(
                "loadd-t", [DaemonBinaries.loadctl, "target", "--listen", "10.200.0.10:8080"],
                log: folder.directory + "/target.log"))
        // Running as root, tcpdump would drop to its own user and fail to write into the 0700 folder.
        let capture = folder.directory + "/fleet.pcap"
        let tcpdump = try FleetNetns.spawn(
            "loadd-m",
            [
                FleetNetns.tcpdump!, "-i", "eth0", "-U", "-Z", "root", "-n",
                "-w", capture, "tcp", "port", "7557",
            ],
            log: folder.directory + "/tcpdump.log")
        children.append(tcpdump)
        try eventually("tcpdump to listen") { tcpdump.output.contains("listening on eth0") }

        func daemon(_ name: String, _ ns: String, _ config: String) throws -> DaemonFixture {
            let node = try DaemonFixture()
            try config.write(toFile: node.directory + "/loadd.yaml", atomically: true, encoding: .utf8)
            children.append(
                try FleetNetns.spawn(
                    ns,
                    [
                        DaemonBinaries.loadd, "--config", node.directory + "/loadd.yaml", "--node", name, "--threads",
                        "1",
                        "--socket", node.socket, "--state-dir", node.stateDir,
                    ], log: node.directory + "/loadd.log"))
            try eventually("\(name) to serve") { (try? node.get("/v1/status").status) == 200 }
            return node
        }
        // The zero-setup configs: nothing about TLS on either side.
        let master = try daemon("master", "loadd-m", "listen: 10.200.0.1:7557\ntoken_file: \(token)\n")
        let worker = try daemon("w1", "loadd-w1", "master: 10.200.0.1:7557\ntoken_file: \(token)\n")
        try eventually("the worker to join") {
            try master.get("/v1/workers").decode([WorkerInfo].self).map(\.node.rawValue) == ["w1"]
        }
        let marker = "wire-marker-\(UUID().uuidString.prefix(8))"
        let scenario = """
            name: \(marker)
            host: http://10.200.0.10:8080
            users: 2
            spawn_rate: 20
            duration: 2s
            wait: { constant: 10ms }
            headers: { X-Wire-Check: \(marker)-header, X-Api-Key: "{{env.API_KEY}}" }
            tasks:
              - { request: GET /Test/V1 }
            """
        // A `--secret-var` value travels to the worker inside its assignment: it must be encrypted too.
        let secret = "secret-value-\(UUID().uuidString.prefix(8))"
        let run = try master.startRun(scenario, secretVars: ["API_KEY": secret]).decode(RunInfo.self)
        #expect(try finishedSummary(run.id, on: master).total.requests > 0)
        #expect(try finishedSummary(run.id, on: worker).total.requests > 0)

        // -U wrote every packet as it came: ending tcpdump loses nothing, however it ends.
        tcpdump.signal(SIGTERM)
        if tcpdump.waitForExit(timeout: .seconds(5)) == nil {
            tcpdump.signal(SIGKILL)
            _ = tcpdump.waitForExit()
        }
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: capture)))
        // A TLS ClientHello (record 0x16, handshake type 1) and the master's TLS 1.3 ServerHello…
        #expect(occurs([0x16, 0x03, 0x01], in: bytes), "no TLS handshake record in \(bytes.count) captured bytes")
        // …then application-data records (0x17 0x03 0x03): the frames, encrypted.
        #expect(count([0x17, 0x03, 0x03], in: bytes) >= 10)
        #expect(!occurs(Array(marker.utf8), in: bytes), "the scenario's text crossed the network in clear")
        #expect(!occurs(Array(secret.utf8), in: bytes), "a --secret-var value crossed the network in clear")
        #expect(!occurs(Array("GET /Test/V1".utf8), in: bytes))
        #expect(!occurs(Array("\"hello\"".utf8), in: bytes))
    }
}
