import Foundation
import Glibc
import Protocol
import TestSupport
import Testing

/// Namespaces and processes of the multi-host fleet test; `scripts/netns-fleet.sh` makes the hosts.
enum FleetNetns {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/netns-fleet.sh").path

    static let ip = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// What the test needs here; without it the test is reported as skipped, with the reason.
    static let requirement = SystemRequirement([
        SystemRequirement.root(for: "network namespaces need CAP_NET_ADMIN"),
        ip == nil ? "`ip` not found (apt-get install iproute2)" : nil,
        FileManager.default.isExecutableFile(atPath: script) ? nil : "\(script) is missing",
    ])

    /// Runs the script; throws with its output when it fails.
    static func run(_ action: String) throws {
        let child = try ChildProcess("/bin/bash", [script, action], outputPath: "/tmp/loadd-netns-fleet-\(action).log")
        guard let status = child.waitForExit(timeout: .seconds(30)), status == 0 else {
            throw DaemonTestError("netns-fleet.sh \(action) failed: \(child.output)")
        }
    }

    /// `COMMAND` inside namespace `ns`: `ip netns exec` execs it, so the pid is the command's own.
    static func spawn(_ ns: String, _ command: [String], log: String) throws -> ChildProcess {
        var environment = ProcessInfo.processInfo.environment
        environment["LOADD_LOG"] = "stderr"
        return try ChildProcess(ip!, ["netns", "exec", ns] + command, environment: environment, outputPath: log)
    }
}

extension DaemonTests {
    /// The fleet across four hosts made of network namespaces: master 10.200.0.1, workers .2 and
    /// .3, target .10. Every process runs inside its namespace; the test itself only talks to the
    /// daemons' Unix sockets, which the file system shares, so nothing dials 10.200.x from here.
    @Suite struct FleetNamespaces {
        @Test(.enabled(if: FleetNetns.requirement.met, FleetNetns.requirement.reason))
        func aFleetAcrossNamespacesJoinsRunsMergesAndReSplitsWhenAWorkerIsKilled() throws {
            try FleetNetns.run("up")
            var children: [ChildProcess] = []
            defer {
                for child in children where child.process.isRunning { child.signal(SIGKILL) }
                try? FleetNetns.run("down")
            }
            let folder = try DaemonFixture()
            let token = folder.directory + "/token"
            try "netns-fleet-token-\(UUID().uuidString)\n".write(toFile: token, atomically: true, encoding: .utf8)
            chmod(token, 0o600)   // loadd refuses a token file others can read
            children.append(
                try FleetNetns.spawn(
                    "loadd-t", [DaemonBinaries.loadctl, "target", "--listen", "10.200.0.10:8080"],
                    log: folder.directory + "/target.log"))

            func daemon(_ name: String, _ ns: String, _ config: String) throws -> DaemonFixture {
                let node = try DaemonFixture()
                try config.write(toFile: node.directory + "/loadd.yaml", atomically: true, encoding: .utf8)
                children.append(
                    try FleetNetns.spawn(
                        ns,
                        [
                            DaemonBinaries.loadd, "--config", node.directory + "/loadd.yaml", "--node", name,
                            "--threads", "1",
                            "--socket", node.socket, "--state-dir", node.stateDir,
                        ], log: node.directory + "/loadd.log"))
                try eventually("\(name) to serve") { (try? node.get("/v1/status").status) == 200 }
                return node
            }
            // No role: key — `listen:` alone makes the master and `master:` alone a worker, as the
            // README's "Run a fleet" tells users to write.
            let common = "token_file: \(token)\nheartbeat_timeout: 1s\n"
            let master = try daemon("master", "loadd-m", "listen: 10.200.0.1:7557\n" + common)
            var workers: [String: DaemonFixture] = [:]
            for (name, ns) in [("w1", "loadd-w1"), ("w2", "loadd-w2")] {
                workers[name] = try daemon(name, ns, "master: 10.200.0.1:7557\n" + common)
            }
            func shares() throws -> [String: Int] {
                let listed = try master.get("/v1/workers").decode([WorkerInfo].self)
                return Dictionary(uniqueKeysWithValues: listed.map { ($0.node.rawValue, $0.users) })
            }
            try eventually("both workers to join over the namespaces") { try shares().keys.sorted() == ["w1", "w2"] }
            let addresses = try master.get("/v1/workers").decode([WorkerInfo].self).map {
                $0.address.split(separator: ":")[0]
            }
            #expect(addresses == ["10.200.0.2", "10.200.0.3"])

            let scenario = """
                name: netns-fleet
                host: http://10.200.0.10:8080
                users: 6
                spawn_rate: 60
                duration: 3s
                wait: { constant: 10ms }
                tasks:
                  - { weight: 3, request: GET /Test/V1 }
                  - { weight: 1, request: GET /Test/V3 }
                thresholds: [ "failures == 0" ]
                """
            let first = try master.startRun(scenario).decode(RunInfo.self)
            let merged = try finishedSummary(first.id, on: master)
            let own = try ["w1", "w2"].map { try finishedSummary(first.id, on: workers[$0]!) }
            #expect(merged.total.requests > 0)
            #expect(merged.total.requests == own.map(\.total.requests).reduce(0, +))
            #expect(merged.passed)

            let second = try master.startRun(scenario.replacingOccurrences(of: "duration: 3s", with: "")).decode(
                RunInfo.self)
            try eventually("the users to be split") { try shares() == ["w1": 3, "w2": 3] }
            let w2 = try #require(children.first { $0.outputPath == workers["w2"]!.directory + "/loadd.log" })
            w2.signal(SIGKILL)
            try eventually("w1 to carry all 6 users", timeout: .seconds(3)) { try shares() == ["w1": 6] }
            #expect(try master.post("/v1/runs/current/stop").status == 200)
            let resplit = try finishedSummary(second.id, on: master)
            #expect(resplit.total.requests > 0)
        }
    }
}
