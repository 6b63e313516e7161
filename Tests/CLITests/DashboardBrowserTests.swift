import Foundation
import Glibc
import Protocol
import TestSupport
import Testing

extension SystemRequirement {
    /// `nil` when `python3` imports `module`, else how to get it.
    static func pythonModule(_ module: String, package: String) -> String? {
        guard let python = onPath("python3") else { return "python3 not found (apt-get install python3)" }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", "import \(module)"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return "python3 cannot run" }
        process.waitUntilExit()
        return process.terminationStatus == 0 ? nil : "python3 cannot import \(module) (apt-get install \(package))"
    }

    /// `Tests/Browser/dashboard.py`: a headless Chromium driven by Selenium, offline.
    static let browser = SystemRequirement([
        executable(anyOf: ["/usr/bin/chromium"], package: "chromium"),
        executable(anyOf: ["/usr/bin/chromedriver"], package: "chromium-driver"),
        pythonModule("selenium", package: "python3-selenium"),
    ])
}

/// The dashboard in a real browser: a real daemon, the built-in target and `loadctl ui` on 127.0.0.1,
/// Chromium driven through Selenium by `Tests/Browser/dashboard.py`.
extension DaemonTests {
    @Suite struct DashboardBrowser {
        static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Browser/dashboard.py").path

        /// `loadctl ui` on a free loopback port of `fixture`'s daemon, once it accepts connections.
        static func startUI(_ fixture: DaemonFixture, _ extra: [String] = []) throws -> (ChildProcess, String) {
            let port = try freeLoopbackPort()
            let ui = try ChildProcess(
                DaemonBinaries.loadctl,
                ["ui", "--listen", "127.0.0.1:\(port)", "--socket", fixture.socket] + extra,
                outputPath: "\(fixture.directory)/ui.log")
            try eventually("loadctl ui to listen on \(port)") {
                guard ui.process.isRunning else { throw DaemonTestError("loadctl ui exited: \(ui.output)") }
                return canConnect(port: port)
            }
            return (ui, "http://127.0.0.1:\(port)/")
        }

        static func browse(_ arguments: [String], in fixture: DaemonFixture) throws -> (status: Int32?, output: String)
        {
            let run = try ChildProcess(
                "/usr/bin/env", ["python3", script] + arguments,
                outputPath: "\(fixture.directory)/browser-\(UUID().uuidString).log")
            let status = run.waitForExit(timeout: .seconds(150))
            return (status, run.output)
        }

        @Test(.enabled(if: SystemRequirement.browser.met, SystemRequirement.browser.reason))
        func thePageLoadsThroughLoadctlUiWithoutJavaScriptErrors() throws {
            let fixture = try DaemonFixture()
            try fixture.startDaemon()
            let (ui, url) = try Self.startUI(fixture)
            #expect(ui.output.contains("dashboard of"))
            let result = try Self.browse(["load", url], in: fixture)
            #expect(result.status == 0, "\(result.output)")
        }

        @Test(.enabled(if: SystemRequirement.browser.met, SystemRequirement.browser.reason))
        func aRunStartedFromThePageIsWatchedSteeredResetAndStopped() throws {
            let fixture = try DaemonFixture()
            let target = try TargetProcess(directory: fixture.directory)
            try fixture.startDaemon()
            let (ui, url) = try Self.startUI(fixture)
            defer { withExtendedLifetime(ui) {} }   // killed when released
            let scenario = fixture.directory + "/dashboard.yaml"
            try target.scenario(users: 2, name: "dashboard").write(toFile: scenario, atomically: true, encoding: .utf8)

            let result = try Self.browse(["journey", url, fixture.directory, scenario], in: fixture)
            #expect(result.status == 0, "\(result.output)")
            #expect(result.output.contains("journey: schedule lag p99"), "\(result.output)")

            // What the page did, as the daemon recorded it: one run, moved to 5 users, ended by the stop.
            let runs = try fixture.get("/v1/runs").decode([RunInfo].self)
            #expect(runs.count == 1)
            #expect(runs.first?.users == 5 && runs.first?.scenario == "dashboard")
            #expect(runs.first?.state == .passed || runs.first?.state == .failed)
            let shot = fixture.directory + "/dashboard.png"
            let size = (try? FileManager.default.attributesOfItem(atPath: shot)[.size] as? Int) ?? 0
            #expect(size > 10_000, "no screenshot at \(shot)")
            // `LOADD_SCREENSHOT_DIR=docs swift test --filter DashboardBrowser` refreshes the README's picture.
            if let keep = ProcessInfo.processInfo.environment["LOADD_SCREENSHOT_DIR"], size > 0 {
                try? FileManager.default.removeItem(atPath: keep + "/dashboard.png")
                try FileManager.default.copyItem(atPath: shot, toPath: keep + "/dashboard.png")
            }
        }

        @Test(.enabled(if: SystemRequirement.browser.met, SystemRequirement.browser.reason))
        func anOpenModelRunIsSteeredByItsRateFromThePage() throws {
            let fixture = try DaemonFixture()
            let target = try TargetProcess(directory: fixture.directory)
            try fixture.startDaemon()
            let (ui, url) = try Self.startUI(fixture)
            defer { withExtendedLifetime(ui) {} }   // killed when released
            let scenario = fixture.directory + "/open.yaml"
            try target.scenario(users: 2, name: "open").write(toFile: scenario, atomically: true, encoding: .utf8)

            let result = try Self.browse(["open", url, scenario], in: fixture)
            #expect(result.status == 0, "\(result.output)")
            let summary = try fixture.get("/v1/runs").decode([RunInfo].self)
            #expect(summary.count == 1 && summary.first?.scenario == "open")
        }

        @Test(.enabled(if: SystemRequirement.browser.met, SystemRequirement.browser.reason))
        func aPageOpenAcrossARestartSaysResumedAndBreaksItsLinesAtTheGap() throws {
            let fixture = try DaemonFixture()
            let target = try TargetProcess(directory: fixture.directory)
            try fixture.startDaemon()
            let info = try fixture.startRun(target.scenario(users: 2, duration: "40s", name: "gap")).decode(
                RunInfo.self)
            let (ui, url) = try Self.startUI(fixture)
            defer { withExtendedLifetime(ui) {} }   // killed when released
            let page = try ChildProcess(
                "/usr/bin/env", ["python3", Self.script, "gap", url],
                outputPath: "\(fixture.directory)/browser-gap.log")
            try eventually("the page to draw the run", timeout: .seconds(60)) {
                guard page.process.isRunning else { throw DaemonTestError("dashboard.py exited: \(page.output)") }
                return page.output.contains("gap: watching")
            }

            #expect(fixture.stopDaemon() == 0)
            // loadd starts again once the page has seen it gone and the run's clock is two seconds past the
            // last save loadd wrote, so the history has at least one whole second without load: a gap.
            try eventually("the page to see loadd gone", timeout: .seconds(60)) {
                guard page.process.isRunning else { throw DaemonTestError("dashboard.py exited: \(page.output)") }
                return page.output.contains("gap: lost loadd")
            }
            let record = try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: "\(fixture.stateDir)/runs/\(info.id)/resume.json")))
            let savedAt = try #require((record as? [String: Any])?["savedAt"] as? Double, "resume.json has savedAt")
            try eventually("two seconds past the run's last save") { Date().timeIntervalSince1970 >= savedAt + 2 }
            try fixture.startDaemon()
            #expect(try fixture.status().run?.id == info.id)

            let status = page.waitForExit(timeout: .seconds(120))
            #expect(status == 0, "\(page.output)")
            _ = try fixture.post("/v1/runs/current/stop")
            try eventually("the run to end") { try fixture.status().run?.state != .running }
        }

        @Test(.enabled(if: SystemRequirement.browser.met, SystemRequirement.browser.reason))
        func aMasterPageShowsItsWorkersAndTheFleetsMergedRunAndStopsIt() throws {
            let fleet = try FleetCluster()
            let target = try TargetProcess(directory: fleet.master.directory)
            try fleet.addWorker("w1")
            try fleet.addWorker("w2")
            try fleet.waitForWorkers(["w1", "w2"])
            let (ui, url) = try Self.startUI(fleet.master)
            defer { withExtendedLifetime(ui) {} }   // killed when released
            #expect(try fleet.master.startRun(target.scenario(users: 4, name: "fleet")).status == 201)

            let result = try Self.browse(["fleet", url, "w1,w2", "4"], in: fleet.master)
            #expect(result.status == 0, "\(result.output)")
            try eventually("the fleet's run to end") { try fleet.master.status().run?.state != .running }
        }
    }
}

/// `loadctl ui` itself, without a browser: where it listens, and that the daemon's Origin rule holds
/// through the relay.
extension DaemonTests {
    @Suite struct LoadctlUi {
        @Test func aNonLoopbackListenAddressIsRefusedUnlessAllowed() throws {
            let fixture = try DaemonFixture()
            try fixture.startDaemon()
            let (status, output) = try fixture.loadctl(["ui", "--listen", "0.0.0.0:0"])
            #expect(status == 2, "\(output)")
            #expect(output.contains("not a loopback address") && output.contains("--allow-remote"))
        }

        @Test func withoutADaemonUiSaysSoAndExits3() throws {
            let fixture = try DaemonFixture()
            let (status, output) = try fixture.loadctl(["ui", "--listen", "127.0.0.1:0"])
            #expect(status == 3, "\(output)")
            #expect(output.contains("cannot reach loadd at \(fixture.socket)"))
        }

        static func curl(_ arguments: [String], in fixture: DaemonFixture) throws -> String {
            let child = try ChildProcess(
                "/usr/bin/env", ["curl", "-s", "-i", "--max-time", "10"] + arguments,
                outputPath: "\(fixture.directory)/curl-\(UUID().uuidString).out")
            _ = child.waitForExit()
            return child.output
        }

        /// A loopback connection to `port` that has sent half a request and stays open until closed.
        static func holdConnection(port: Int) -> Int32 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = UInt16(port).bigEndian
            address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            _ = "GET / HTTP/1.1\r\n".withCString { write(fd, $0, strlen($0)) }
            return fd
        }

        @Test(.enabled(if: SystemRequirement.onPath("curl") != nil, "curl not found (apt-get install curl)"))
        func pastMaxConnectionsTheRelayAnswers503AndServesAgainOnceOneCloses() throws {
            let fixture = try DaemonFixture()
            try fixture.startDaemon()
            let (ui, url) = try DaemonTests.DashboardBrowser.startUI(fixture, ["--max-connections", "1"])
            defer { withExtendedLifetime(ui) {} }   // killed when released
            let port = Int(url.split(separator: ":").last!.dropLast())!
            var refused = ""
            // The readiness probe's connection may still be counted for a moment: retry with a fresh hold.
            try eventually("a second connection to be refused while one is held") {
                let held = Self.holdConnection(port: port)
                defer { close(held) }
                refused = try Self.curl([url], in: fixture)
                return refused.hasPrefix("HTTP/1.1 503")
            }
            #expect(refused.contains("loadctl ui relays at most 1 connections at once"))
            try eventually("the page to be served again") {
                try Self.curl([url], in: fixture).hasPrefix("HTTP/1.1 200")
            }
        }

        @Test(.enabled(if: SystemRequirement.onPath("curl") != nil, "curl not found (apt-get install curl)"))
        func theRelayServesThePageAndLoaddRefusesAForeignOrigin() throws {
            let fixture = try DaemonFixture()
            try fixture.startDaemon()
            let (ui, url) = try DaemonTests.DashboardBrowser.startUI(fixture)
            defer { withExtendedLifetime(ui) {} }   // killed when released
            func curl(_ arguments: [String]) throws -> String { try Self.curl(arguments, in: fixture) }
            let page = try curl([url])
            #expect(page.hasPrefix("HTTP/1.1 200"))
            #expect(page.lowercased().contains("content-security-policy: default-src 'self'"))
            #expect(page.contains("<script src=\"/ui/dashboard.js\""))
            let foreign = try curl(["-X", "POST", "-H", "Origin: http://evil.example", url + "v1/runs/current/stop"])
            #expect(foreign.hasPrefix("HTTP/1.1 403"), "\(foreign)")
            #expect(foreign.contains("origin 'http://evil.example' refused"))
            let own = try curl(["-X", "POST", "-H", "Origin: \(url.dropLast())", url + "v1/runs/current/stop"])
            #expect(own.hasPrefix("HTTP/1.1 409"), "\(own)")
        }
    }
}
