import Foundation
import Testing

extension SystemE2ETests {
    /// Two `loadctl mark`s during a real run, with loadd logging to a private systemd-journald
    /// (`scripts/test-journal.sh`): each is a journal entry of that run, `MESSAGE=mark` with the
    /// `LOADD_RUN_ID` of the run and its text in `MARK`. The run sends a `--secret-var` value in a
    /// header, with loadd logging at debug level: the value is in no journal entry.
    @Test(.timeLimit(.minutes(2)), .enabled(if: SystemRequirement.journal.met, SystemRequirement.journal.reason))
    func marksReachTheJournalWithTheRunID() throws {
        let fixture = try DaemonFixture()
        let target = try TargetProcess(directory: fixture.directory)
        let secret = "journal-secret-\(UUID().uuidString.prefix(8))"
        try (target.scenario(users: 2, name: "journal-marks") + "\nheaders: { X-Api-Key: \"{{env.API_KEY}}\" }\n")
            .write(toFile: "\(fixture.directory)/scenario.yaml", atomically: true, encoding: .utf8)
        try markDriveScript.write(toFile: "\(fixture.directory)/drive.sh", atomically: true, encoding: .utf8)
        var environment = ProcessInfo.processInfo.environment
        environment["LOADD_LOG"] = "journal"
        let script = try withExtendedLifetime(target) {
            try SystemScript(
                "test-journal.sh",
                [
                    "-t", "60", "--", "/bin/bash", "\(fixture.directory)/drive.sh", DaemonBinaries.loadd,
                    DaemonBinaries.loadctl, fixture.directory, secret,
                ],
                environment: environment, timeout: .seconds(90))
        }
        guard script.expectSuccess() else { return }
        // Without --wait, `loadctl start` prints the run's id alone on stdout.
        let startOut = (try? String(contentsOfFile: "\(fixture.directory)/start.out", encoding: .utf8)) ?? ""
        let runID = try #require(
            startOut.split(whereSeparator: \.isWhitespace).first.map(String.init),
            "no run id on loadctl start's stdout:\n\(script.output)")
        let entries = script.output.split(separator: "\n").compactMap { line -> [String: Any]? in
            guard line.hasPrefix("{") else { return nil }
            return (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }
        let marks = entries.filter { $0["MESSAGE"] as? String == "mark" }
        var problems: [String] = []
        if marks.compactMap({ $0["MARK"] as? String }) != ["deploy started", "deploy done"] {
            problems.append("mark entries: \(marks)")
        }
        if !marks.allSatisfy({ $0["LOADD_RUN_ID"] as? String == runID }) {
            problems.append("not every mark entry has LOADD_RUN_ID=\(runID)")
        }
        if script.output.contains(secret) { problems.append("the --secret-var value is in the journal or the logs") }
        script.expectSuccess(problems: problems)
    }
}

/// Starts loadd and a run, waits for its first requests, marks twice, stops the run and loadd.
private let markDriveScript = #"""
    set -u
    LOADD=$1 LOADCTL=$2 DIR=$3 SECRET=$4
    SOCK=$DIR/loadd.sock
    "$LOADD" --socket "$SOCK" --state-dir "$DIR/state" --threads 1 --log-level debug >"$DIR/loadd.out" 2>&1 &
    pid=$!
    for _ in $(seq 200); do
      "$LOADCTL" status --socket "$SOCK" >/dev/null 2>&1 && break
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.05
    done
    "$LOADCTL" start "$DIR/scenario.yaml" --secret-var "API_KEY=$SECRET" --socket "$SOCK" >"$DIR/start.out" 2>"$DIR/start.err"
    rc=$?
    for _ in $(seq 200); do
      "$LOADCTL" status --json --socket "$SOCK" | grep -Eq '"requests" ?: ?[1-9]' && break
      sleep 0.05
    done
    "$LOADCTL" mark "deploy started" --socket "$SOCK" && "$LOADCTL" mark "deploy done" --socket "$SOCK"
    mrc=$?
    "$LOADCTL" stop --socket "$SOCK" >/dev/null
    kill -TERM "$pid"
    wait "$pid"
    lrc=$?
    echo "drive.sh: start exited $rc, mark $mrc, loadd $lrc"
    cat "$DIR/start.err" "$DIR/start.out" "$DIR/loadd.out"
    [ "$rc" -eq 0 ] && [ "$mrc" -eq 0 ] && [ "$lrc" -eq 0 ]
    """#
