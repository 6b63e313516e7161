import Foundation
import Glibc
import Testing

/// loadd as a system daemon, checked with the real tools: the unit files with systemd-analyze, the
/// daemon's structured logs in a real systemd-journald, and the whole install booted under a real
/// systemd in systemd-nspawn. Each test runs one of the repository's scripts. A test whose root or
/// tools are missing here is reported as skipped, with the reason (`SystemRequirement`); one that
/// runs expects its script to run too, so a script that skips itself anyway fails the test.
/// Serialized: the journal and nspawn tests generate load and boot a system on shared cores.
@Suite(.serialized) struct SystemE2ETests {
    /// `scripts/verify-units.sh` on the built loadd: sysusers and tmpfiles apply, `systemd-analyze
    /// verify` has nothing to say about loadd.service and loadd.socket, and the security exposure of
    /// loadd.service is at most 2.0.
    @Test(
        .timeLimit(.minutes(2)),
        .enabled(if: SystemRequirement.verifyUnits.met, SystemRequirement.verifyUnits.reason))
    func unitFilesVerifyAndStayHardened() throws {
        let script = try SystemScript(
            "verify-units.sh", [DaemonBinaries.loadd, SystemScript.repository + "/systemd"], timeout: .seconds(90))
        let expected = ["sysusers OK", "tmpfiles OK", "verify OK", "security OK"]
        let missing = expected.filter { !script.output.contains($0) }
        script.expectSuccess(problems: missing.map { "no '\($0)' in the output" })
    }

    /// A real run under `scripts/test-journal.sh` (a private systemd-journald, `LOADD_LOG=journal`):
    /// loadd starts, `loadctl start --wait` drives a 2 s run against the built-in target, loadd is
    /// stopped with SIGTERM; the journal's entries for that run carry LOADD_RUN_ID, LOADD_NODE,
    /// LOADD_ROLE and a PRIORITY.
    @Test(.timeLimit(.minutes(2)), .enabled(if: SystemRequirement.journal.met, SystemRequirement.journal.reason))
    func daemonLogsTheRunToJournaldWithItsFields() throws {
        let fixture = try DaemonFixture()
        let target = try TargetProcess(directory: fixture.directory)
        let node = "e2e-journal-node"
        try target.scenario(users: 2, duration: "2s", name: "journal-e2e")
            .write(toFile: "\(fixture.directory)/scenario.yaml", atomically: true, encoding: .utf8)
        try driveScript.write(toFile: "\(fixture.directory)/drive.sh", atomically: true, encoding: .utf8)
        var environment = ProcessInfo.processInfo.environment
        environment["LOADD_LOG"] = "journal"
        // The target must outlive the script (ARC may otherwise end it after its last use above).
        let script = try withExtendedLifetime(target) {
            try SystemScript(
                "test-journal.sh",
                [
                    "-t", "60", "--", "/bin/bash", "\(fixture.directory)/drive.sh",
                    DaemonBinaries.loadd, DaemonBinaries.loadctl, fixture.directory, node,
                ],
                environment: environment, timeout: .seconds(90))
        }
        let output = script.output
        guard script.expectSuccess() else { return }

        let startErr = (try? String(contentsOfFile: "\(fixture.directory)/start.err", encoding: .utf8)) ?? ""
        let runID = try #require(
            startErr.split(separator: "\n").compactMap { line -> String? in
                let words = line.split(separator: " ")
                return words.count > 3 && words[0] == "loadctl:" && words[1] == "run" && words[3] == "started:"
                    ? String(words[2]) : nil
            }.first, "no run id in loadctl's stderr:\n\(startErr)\n\(output)")

        let entries = output.split(separator: "\n").compactMap { line -> [String: Any]? in
            guard line.hasPrefix("{") else { return nil }
            return (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }
        let ofRun = entries.filter { $0["LOADD_RUN_ID"] as? String == runID }
        var problems = ofRun.isEmpty ? ["no journal entry with LOADD_RUN_ID=\(runID) among \(entries.count)"] : []
        for entry in ofRun {
            let message = entry["MESSAGE"] as? String ?? "?"
            if entry["LOADD_NODE"] as? String != node { problems.append("LOADD_NODE of '\(message)' is not \(node)") }
            if (entry["LOADD_ROLE"] as? String ?? "").isEmpty { problems.append("no LOADD_ROLE in '\(message)'") }
            if !["0", "1", "2", "3", "4", "5", "6", "7"].contains(entry["PRIORITY"] as? String ?? "") {
                problems.append("no PRIORITY 0-7 in '\(message)'")
            }
            if entry["_TRANSPORT"] as? String != "journal" { problems.append("'\(message)' not sent natively") }
        }
        script.expectSuccess(problems: problems)
    }

    /// `scripts/nspawn-e2e.sh` with the release (static-stdlib) binaries `make test` builds: `make install`
    /// into a bookworm rootfs, boot it with systemd-nspawn, `systemctl enable --now loadd`, LimitNOFILE,
    /// `loadctl status`, a 3 s `loadctl start --wait` against the built-in target, the run's
    /// LOADD_RUN_ID in `journalctl -u loadd -o json`, reload, stop, start again with the run still
    /// listed, poweroff. The first run debootstraps the cached rootfs (~45 s).
    @Test(.timeLimit(.minutes(6)), .enabled(if: SystemRequirement.nspawn.met, SystemRequirement.nspawn.reason))
    func installedDaemonRunsUnderSystemdInAContainer() throws {
        let releaseBin = try #require(SystemRequirement.releaseBin)
        let script = try SystemScript("nspawn-e2e.sh", [releaseBin], timeout: .seconds(300))
        let failed = script.output.split(separator: "\n").filter { $0.contains("] FAIL: ") }.map(String.init)
        let finished = script.output.contains("nspawn-e2e: all steps passed")
        script.expectSuccess(problems: failed + (finished ? [] : ["did not finish"]))
    }
}

/// Starts loadd, waits until it serves, runs `loadctl start --wait`, stops loadd with SIGTERM. Runs inside
/// test-journal.sh's namespace; its own output goes to the script's stderr, the run's to files.
/// usage: drive.sh LOADD LOADCTL DIR NODE
private let driveScript = #"""
    set -u
    LOADD=$1 LOADCTL=$2 DIR=$3 NODE=$4
    SOCK=$DIR/loadd.sock
    "$LOADD" --socket "$SOCK" --state-dir "$DIR/state" --threads 1 --node "$NODE" >"$DIR/loadd.out" 2>&1 &
    pid=$!
    for _ in $(seq 200); do
      "$LOADCTL" status --socket "$SOCK" >/dev/null 2>&1 && break
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.05
    done
    "$LOADCTL" start "$DIR/scenario.yaml" --wait --socket "$SOCK" >"$DIR/start.out" 2>"$DIR/start.err"
    rc=$?
    kill -TERM "$pid"
    wait "$pid"
    lrc=$?
    echo "drive.sh: loadctl start --wait exited $rc, loadd exited $lrc"
    cat "$DIR/start.err" "$DIR/start.out" "$DIR/loadd.out"
    [ "$rc" -eq 0 ] && [ "$lrc" -eq 0 ]
    """#

/// One run of a script from `scripts/`, stdout and stderr together in a file, bounded in time: after
/// `timeout` it gets SIGTERM (the scripts clean up on it), then SIGKILL 40 s later.
struct SystemScript {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    let name: String
    /// The exit status, or nil if it had to be killed.
    let status: Int32?
    let output: String

    init(_ name: String, _ arguments: [String], environment: [String: String]? = nil, timeout: Duration) throws {
        self.name = name
        let logPath = "/tmp/loadd-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).log"
        defer { unlink(logPath) }
        let child = try ChildProcess(
            Self.repository + "/scripts/" + name, arguments, environment: environment,
            outputPath: logPath)
        var status = child.waitForExit(timeout: timeout)
        if status == nil {
            child.signal(SIGTERM)
            status = child.waitForExit(timeout: .seconds(40))
        }
        self.status = status
        self.output = child.output + (status == nil ? "\n[\(name) killed after \(timeout)]" : "")
    }

    /// Expects exit status 0, no `problems` and no `SKIP:` line (the test checked the script's needs
    /// first, so a script that skips itself anyway found something the check did not); otherwise
    /// records one issue naming them with the whole output, and attaches the output (kept with
    /// `swift test --attachments-path DIR`). True if it passed.
    @discardableResult
    func expectSuccess(problems: [String] = [], sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        var problems = problems
        if let skip = output.split(separator: "\n").first(where: { $0.hasPrefix("SKIP:") }) {
            problems.insert("\(name) skipped itself although its requirements were found: \(skip)", at: 0)
        }
        if status != 0 { problems.insert(status.map { "\(name) exited \($0)" } ?? "\(name) timed out", at: 0) }
        guard !problems.isEmpty else { return true }
        Issue.record(
            "\(problems.joined(separator: "; "))\n--- \(name) output:\n\(output)", sourceLocation: sourceLocation)
        Attachment.record(output, named: "\(name).log", sourceLocation: sourceLocation)
        return false
    }
}
