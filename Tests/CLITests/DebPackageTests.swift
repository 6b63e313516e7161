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
        ["/usr/bin", "/usr/sbin", "/bin", "/sbin"].contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(name)") }
    }

    static let ready = getuid() == 0 && package != nil && tool("systemd-nspawn") && tool("debootstrap") && tool("dpkg-deb")

    @Test(.enabled(if: ready, "needs root, systemd-nspawn, debootstrap and the .deb ($LOADD_DEB or `make deb`)"),
          .timeLimit(.minutes(6)))
    func packageInstallsRunsUpgradesRemovesAndPurgesInAFreshDebian12() throws {
        let deb = try #require(Self.package)
        let script = try SystemScript("deb-e2e.sh", [deb], timeout: .seconds(300))
        // expectSuccess also fails a script that prints `SKIP:` although `ready` found its tools.
        let failed = script.output.split(separator: "\n").filter { $0.contains("] FAIL: ") }.map(String.init)
        script.expectSuccess(problems: failed + (script.output.contains("deb-e2e: all steps passed") ? [] : ["did not finish"]))
    }
}
