import Foundation
import Glibc
import Protocol
import Testing

/// The .deb as an operator uses it: `scripts/deb-e2e.sh` installs it with `dpkg -i` into a booted Debian 12
/// container (systemd-nspawn, no Swift inside, so a working daemon proves the package carries its
/// runtime), then `systemctl start loadd`, `loadctl version`, a short run against the built-in target
/// inside the container, `systemctl restart loadd` and a reinstall (the upgrade path: restarted, run and
/// edited conffile kept), `apt-get remove` (stopped, /var/lib/loadd kept), `apt-get purge` (all gone).
/// Needs root, systemd-nspawn, debootstrap and the package: `$LOADD_DEB`, else
/// loadd_VERSION_amd64.deb at the repository root (`make deb`; `make test` builds and sets it).
@Suite(.serialized) struct DebPackageTests {
    static let package: String? = {
        let named = ProcessInfo.processInfo.environment["LOADD_DEB"].flatMap { $0.isEmpty ? nil : $0 }
        let path = named ?? "\(SystemScript.repository)/loadd_\(LoaddVersion.current)_amd64.deb"
        return FileManager.default.isReadableFile(atPath: path) ? path : nil
    }()

    static func tool(_ name: String) -> Bool {
        ["/usr/bin", "/usr/sbin", "/bin", "/sbin"].contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/\(name)")
        }
    }

    static let ready =
        getuid() == 0 && package != nil && tool("systemd-nspawn") && tool("debootstrap") && tool("dpkg-deb")

    @Test(
        .enabled(if: ready, "needs root, systemd-nspawn, debootstrap and the .deb ($LOADD_DEB or `make deb`)"),
        .timeLimit(.minutes(6)))
    func packageInstallsRunsUpgradesRemovesAndPurgesInAFreshDebian12() throws {
        let deb = try #require(Self.package)
        let script = try SystemScript("deb-e2e.sh", [deb], timeout: .seconds(300))
        // expectSuccess also fails a script that prints `SKIP:` although `ready` found its tools.
        let failed = script.output.split(separator: "\n").filter { $0.contains("] FAIL: ") }.map(String.init)
        script.expectSuccess(
            problems: failed + (script.output.contains("deb-e2e: all steps passed") ? [] : ["did not finish"]))
    }

    static let fleetReady = ready && tool("ip") && pythonYAML

    /// `python3 -c 'import yaml'` works: the script reads the cloud-init examples with it.
    static let pythonYAML: Bool = {
        guard tool("python3") else { return false }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import yaml"]
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    /// Two containers with the .deb, in their own network namespaces (10.200.1.0/24, the host guarded
    /// by an unreachable route), configured by `examples/cloud-init/{master,worker}.yaml`'s files and
    /// commands: the master lists the worker, and a run whose CSV exists only on this host (the client)
    /// runs on the worker, whose target sees exactly the CSV's rows. No TLS setup: the fleet is encrypted
    /// by default, and the master's journal says it made its certificate.
    @Test(
        .enabled(if: fleetReady, "needs root, systemd-nspawn, debootstrap, ip, python3-yaml and the .deb"),
        .timeLimit(.minutes(5)))
    func aTwoContainerFleetFromTheDebRunsAClientsCSVOnTheWorker() throws {
        let deb = try #require(Self.package)
        let script = try SystemScript("deb-fleet-e2e.sh", [deb], timeout: .seconds(240))
        let failed = script.output.split(separator: "\n").filter { $0.contains("] FAIL: ") }.map(String.init)
        script.expectSuccess(
            problems: failed + (script.output.contains("deb-fleet-e2e: all steps passed") ? [] : ["did not finish"]))
    }
}
