import Foundation
import Protocol
import Testing

/// One version everywhere: the VERSION file (which names the .deb), the Swift constant, both binaries'
/// `--version`, `loadctl version` and the daemon's `GET /v1/status`.
extension DaemonTests {
    @Suite struct Versions {
        @Test func versionFileMatchesTheCompiledVersion() throws {
            let file = try String(contentsOfFile: SystemScript.repository + "/VERSION", encoding: .utf8)
            #expect(
                file.trimmingCharacters(in: .whitespacesAndNewlines) == LoaddVersion.current,
                "VERSION and Sources/Protocol/Version.swift must be changed together")
        }

        @Test func bothBinariesPrintTheVersionWithDashDashVersion() throws {
            for binary in [DaemonBinaries.loadd, DaemonBinaries.loadctl] {
                let child = try ChildProcess(
                    binary, ["--version"], outputPath: "/tmp/loadd-version-\(UUID().uuidString).log")
                defer { unlink(child.outputPath) }
                #expect(child.waitForExit() == 0)
                #expect(child.output == LoaddVersion.current + "\n", "\(binary) --version")
            }
        }

        @Test func loadctlVersionShowsClientAndDaemonVersions() throws {
            let fixture = try DaemonFixture()
            try fixture.startDaemon(["--node", "version-node"])
            let plain = try fixture.loadctl(["version"])
            #expect(plain.status == 0)
            #expect(
                plain.output == "loadctl \(LoaddVersion.current)\nloadd \(LoaddVersion.current) (node version-node)\n")

            let json = try fixture.loadctl(["version", "--json"])
            #expect(json.status == 0)
            let decoded = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: String]
            #expect(
                decoded == ["client": LoaddVersion.current, "daemon": LoaddVersion.current, "node": "version-node"])
        }

        @Test func loadctlVersionWithoutADaemonPrintsTheClientAndExits3() throws {
            let fixture = try DaemonFixture()
            let unreachable = try fixture.loadctl(["version"])
            #expect(unreachable.status == 3)
            #expect(unreachable.output.contains("loadctl \(LoaddVersion.current)\n"))
            #expect(unreachable.output.contains("cannot reach loadd at \(fixture.socket)"))

            let clientOnly = try fixture.loadctl(["version", "--client"])
            #expect(clientOnly.status == 0)
            #expect(clientOnly.output == "loadctl \(LoaddVersion.current)\n")
        }
    }
}
