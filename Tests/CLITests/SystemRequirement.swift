import Foundation
import Glibc
import Testing

/// What a system test needs from this machine, looked at once per test process. A test states it with
/// `.enabled(if: requirement.met, requirement.reason)`, so a machine without root or a tool reports
/// the test as skipped, with the reason, instead of letting it pass without testing anything.
struct SystemRequirement: Sendable {
    /// Why the test cannot run here; empty when it can.
    let unmet: [String]

    init(_ checks: [String?]) { unmet = checks.compactMap(\.self) }

    var met: Bool { unmet.isEmpty }
    /// The skip reason swift-testing reports.
    var reason: Comment { Comment(rawValue: unmet.joined(separator: "; ")) }

    /// `nil` as root, else why `purpose` needs it.
    static func root(for purpose: String) -> String? {
        getuid() == 0 ? nil : "not root (\(purpose))"
    }

    /// `nil` when every command is on `PATH` (what the scripts find with `command -v`), else which are not.
    static func commands(_ names: [String], package: String) -> String? {
        let missing = names.filter { onPath($0) == nil }
        return missing.isEmpty ? nil : "\(missing.joined(separator: ", ")) not found (apt-get install \(package))"
    }

    /// `nil` when one of `paths` is an executable file, else what is missing.
    static func executable(anyOf paths: [String], package: String) -> String? {
        if paths.contains(where: { access($0, X_OK) == 0 }) { return nil }
        return "no \(paths.joined(separator: " or ")) (apt-get install \(package))"
    }

    static func onPath(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { access($0, X_OK) == 0 }
    }

    /// The folder of the release binaries `make test` builds (`LOADD_RELEASE_BIN`), if set.
    static let releaseBin: String? = ProcessInfo.processInfo.environment["LOADD_RELEASE_BIN"].flatMap {
        $0.isEmpty ? nil : $0
    }

    /// `scripts/verify-units.sh`.
    static let verifyUnits = SystemRequirement([
        root(for: "mount namespace and bind mounts"),
        commands(["systemd-analyze", "systemd-sysusers", "systemd-tmpfiles"], package: "systemd"),
        commands(["unshare"], package: "util-linux"),
    ])

    /// `scripts/test-journal.sh`.
    static let journal = SystemRequirement([
        root(for: "mount namespace and tmpfs mounts"),
        executable(anyOf: ["/lib/systemd/systemd-journald", "/usr/lib/systemd/systemd-journald"], package: "systemd"),
        commands(["journalctl"], package: "systemd"),
        commands(["unshare"], package: "util-linux"),
        commands(["timeout"], package: "coreutils"),
    ])

    /// `scripts/nspawn-e2e.sh` with the release binaries.
    static let nspawn = SystemRequirement([
        releaseBin == nil
            ? "LOADD_RELEASE_BIN is not set (`make test` sets it to the bin folder of "
                + "`swift build -c release --static-swift-stdlib`)" : nil,
        root(for: "debootstrap, mount namespace, systemd-nspawn"),
        commands(["systemd-nspawn"], package: "systemd-container"),
        commands(["debootstrap"], package: "debootstrap"),
    ])

    /// `systemd-socket-activate`, at the path the socket-activation test runs.
    static let socketActivate = SystemRequirement([
        executable(anyOf: ["/usr/bin/systemd-socket-activate"], package: "systemd")
    ])
}
