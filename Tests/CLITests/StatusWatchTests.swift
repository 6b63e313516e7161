import Foundation
import Glibc
import Protocol
import TestSupport
import Testing

/// python3's `pty` gives `loadctl status --watch` a real terminal of a chosen size.
enum PseudoTerminal {
    static var available: Bool { FileManager.default.isExecutableFile(atPath: python3) }
    static let python3 =
        ["/usr/bin/python3", "/usr/local/bin/python3"]
        .first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/usr/bin/python3"

    /// Runs `arguments` on a pty of `rows` × `columns` for about `seconds`, then SIGTERMs it;
    /// everything it wrote to the terminal.
    static func capture(
        _ arguments: [String], rows: Int, columns: Int, seconds: Double, directory: String
    ) throws -> String {
        let script = directory + "/watch_pty.py"   // not pty.py: that name would shadow the pty module
        try """
        import fcntl, os, pty, select, signal, struct, sys, termios, time
        argv = sys.argv[4:]
        pid, fd = pty.fork()
        if pid == 0:
            # The child sets its terminal's size itself, before loadctl can ask for it.
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", int(sys.argv[1]), int(sys.argv[2]), 0, 0))
            os.execv(argv[0], argv)
        out = bytearray()
        deadline = time.monotonic() + float(sys.argv[3])
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.1)
            if ready:
                try:
                    data = os.read(fd, 65536)
                except OSError:
                    break
                if not data:
                    break
                out += data
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
        sys.stdout.buffer.write(bytes(out))
        """.write(toFile: script, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python3)
        process.arguments = [script, "\(rows)", "\(columns)", "\(seconds)"] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// The frames `--watch` drew: each starts at cursor home; escape sequences and CRs removed.
    static func frames(_ text: String) -> [[String]] {
        text.components(separatedBy: "\u{1B}[H").dropFirst().filter { $0.contains("\u{1B}[J") }.map { frame in
            var plain = frame.replacingOccurrences(of: "\r", with: "")
            for sequence in ["\u{1B}[K", "\u{1B}[J", "\u{1B}[2J"] {
                plain = plain.replacingOccurrences(of: sequence, with: "")
            }
            var lines = plain.components(separatedBy: "\n")
            if lines.last == "" { lines.removeLast() }
            return lines
        }
    }
}

extension DaemonTests {
    @Suite struct StatusWatch {
        @Test(.enabled(if: PseudoTerminal.available, "needs python3 for its pty module"))
        func watchKeepsItsHeaderOnA100By30TerminalWithManyEndpoints() throws {
            let fixture = try DaemonFixture()
            let target = try TargetProcess(directory: fixture.directory)
            try fixture.startDaemon()
            // 40 endpoints: far more rows than 30 lines hold.
            let tasks = (1...40).map { "  - { request: GET /Test/V1, name: /endpoint/\($0) }" }.joined(separator: "\n")
            let scenario = """
                name: many
                host: \(target.host)
                users: 4
                spawn_rate: 40
                duration: 30s
                wait: { constant: 20ms }
                tasks:
                \(tasks)
                thresholds: [ "requests < 1" ]
                """
            #expect(try fixture.startRun(scenario).status == 201)
            try eventually("a second of stats", timeout: .seconds(15)) { try fixture.status().summary?.recent != nil }
            let screen = try PseudoTerminal.capture(
                [DaemonBinaries.loadctl, "status", "--watch", "--socket", fixture.socket],
                rows: 30, columns: 100, seconds: 3.5, directory: fixture.directory)
            _ = try fixture.post("/v1/runs/current/stop")
            let frames = PseudoTerminal.frames(screen)
            #expect(frames.count >= 2, "\(screen)")
            for frame in frames {
                // One line is left for the cursor: nothing scrolls, the header stays at the top.
                #expect(frame.count <= 29, "\(frame.count) lines")
                #expect(frame.allSatisfy { $0.count <= 100 })
                #expect(frame.first?.hasPrefix("RUNNING ") == true, "\(frame.first ?? "")")
                #expect(frame.contains { $0.hasPrefix("now (last ") && $0.contains("req/s") })
                #expect(frame.contains { $0.contains("more") })
                // The threshold fails mid-run, yet the watch only says "so far".
                #expect(!frame.joined().contains("FAILED"))
                #expect(frame.contains { $0.contains("thresholds so far: 0 of 1 hold") })
            }
        }

        @Test func aStagedRunReportsItsPeakTargetInValidateStartRunsAndStatus() throws {
            let fixture = try DaemonFixture()
            let target = try TargetProcess(directory: fixture.directory)
            try fixture.startDaemon()
            let scenario = """
                name: staged
                host: \(target.host)
                wait: { constant: 50ms }
                stages:
                  - { duration: 2s, target: 3 }
                  - { duration: 20s, target: 6 }
                tasks: [ { request: GET /Test/V1 } ]
                """
            let file = fixture.directory + "/staged.yaml"
            try scenario.write(toFile: file, atomically: true, encoding: .utf8)
            let validate = try ChildProcess(
                DaemonBinaries.loadctl, ["validate", file],
                outputPath: fixture.directory + "/validate.log")
            #expect(validate.waitForExit() == 0, "\(validate.output)")
            #expect(validate.output.contains("6 users at peak (2 stages)"), "\(validate.output)")
            let start = try fixture.loadctl(["start", file])
            #expect(start.status == 0, "\(start.output)")
            #expect(try fixture.status().run?.users == 6)
            let runs = try fixture.get("/v1/runs").decode([RunInfo].self)
            #expect(runs.first?.users == 6)
            _ = try fixture.post("/v1/runs/current/stop")
            try eventually("the run to end") {
                try fixture.status().run?.state != .running && fixture.status().run?.state != .stopping
            }
        }
    }
}
