import Foundation
import Glibc
import Testing

/// The bash completion the package installs (`loadctl --generate-completion-script bash`), run under a
/// real bash with the variables bash sets on <Tab>: scenario arguments offer *.yaml, *.yml and folders.
extension DaemonTests {
    @Suite struct Completions {
        static let bash = FileManager.default.isExecutableFile(atPath: "/bin/bash")

        @Test(.enabled(if: bash, "needs /bin/bash"), arguments: ["run", "validate", "start"])
        func bashCompletesScenarioFilesForTheScenarioArgument(command: String) throws {
            let fixture = try DaemonFixture()
            let folder = fixture.directory + "/scenarios"
            try FileManager.default.createDirectory(atPath: folder + "/nested", withIntermediateDirectories: true)
            for file in ["smoke.yaml", "soak.yml", "notes.txt", "users.csv"] {
                _ = FileManager.default.createFile(atPath: "\(folder)/\(file)", contents: Data())
            }
            let script = fixture.directory + "/loadctl.bash"
            let generate = try ChildProcess(
                DaemonBinaries.loadctl, ["--generate-completion-script", "bash"], outputPath: script)
            #expect(generate.waitForExit() == 0)

            // What bash's programmable completion sets before it calls the function `complete -F` named.
            let tab = """
                source "$1"
                cd "$2"
                COMP_LINE="loadctl \(command) "; COMP_POINT=${#COMP_LINE}
                COMP_WORDS=(loadctl \(command) ""); COMP_CWORD=2
                _loadctl
                printf '%s\\n' "${COMPREPLY[@]}"
                """
            let run = try ChildProcess(
                "/bin/bash", ["-c", tab, "tab", script, folder],
                outputPath: fixture.directory + "/completion.out")
            #expect(run.waitForExit() == 0)
            let offered = Set(run.output.split(separator: "\n").map(String.init))
            #expect(offered == ["smoke.yaml", "soak.yml", "nested"], "loadctl \(command) <Tab> offered \(offered)")
        }

        /// Runs `_loadctl` as bash would on <Tab> after `line` (the word under the cursor empty), in `folder`,
        /// with the debug loadctl first on PATH and `LOADD_SOCKET` set; what it offers.
        static func complete(
            _ words: [String], in folder: String, socket: String, fixture: DaemonFixture
        ) throws -> Set<String> {
            let script = fixture.directory + "/loadctl.bash"
            let generate = try ChildProcess(
                DaemonBinaries.loadctl, ["--generate-completion-script", "bash"], outputPath: script)
            #expect(generate.waitForExit() == 0)
            let line = (["loadctl"] + words).joined(separator: " ") + " "
            let tab = """
                source "$1"
                cd "$2"
                COMP_LINE="\(line)"; COMP_POINT=${#COMP_LINE}
                COMP_WORDS=(\((["loadctl"] + words).joined(separator: " ")) ""); COMP_CWORD=\(words.count + 1)
                _loadctl loadctl "" "\(words.last ?? "loadctl")"   # bash passes the command, the word and the one before
                printf '%s\\n' "${COMPREPLY[@]}"
                """
            var environment = ProcessInfo.processInfo.environment
            environment["PATH"] = DaemonBinaries.directory + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
            environment["LOADD_SOCKET"] = socket
            let run = try ChildProcess(
                "/bin/bash", ["-c", tab, "tab", script, folder], environment: environment,
                outputPath: fixture.directory + "/completion-\(UUID().uuidString).out")
            #expect(run.waitForExit() == 0)
            return Set(run.output.split(separator: "\n").map(String.init))
        }

        @Test(.enabled(if: bash, "needs /bin/bash"))
        func bashCompletesRunIDsFromTheDaemonAndReportPaths() throws {
            let fixture = try DaemonFixture()
            let stored = try Retention.writeRuns(3, into: fixture.stateDir, endingBefore: Int(time(nil)))
            try fixture.startDaemon()
            let folder = fixture.directory + "/out"
            try FileManager.default.createDirectory(atPath: folder + "/csv", withIntermediateDirectories: true)
            for file in ["old.html", "notes.txt"] {
                _ = FileManager.default.createFile(atPath: "\(folder)/\(file)", contents: Data())
            }

            // `loadctl runs -q` prints the ids newest first; `report` and `runs rm` offer them.
            let quiet = try fixture.loadctl(["runs", "-q"])
            #expect(quiet.output.split(separator: "\n").map(String.init) == stored.reversed(), "\(quiet.output)")
            #expect(try Self.complete(["report"], in: folder, socket: fixture.socket, fixture: fixture) == Set(stored))
            #expect(
                try Self.complete(["runs", "rm"], in: folder, socket: fixture.socket, fixture: fixture) == Set(stored))
            // No daemon: nothing offered, and nothing printed into the command line.
            #expect(
                try Self.complete(["report"], in: folder, socket: fixture.directory + "/none.sock", fixture: fixture)
                    .isEmpty)
            // --html offers *.html and folders; report --csv offers folders.
            #expect(
                try Self.complete(
                    ["report", stored[0], "--html"], in: folder, socket: fixture.socket, fixture: fixture)
                    == ["old.html", "csv"])
            #expect(
                try Self.complete(["report", stored[0], "--csv"], in: folder, socket: fixture.socket, fixture: fixture)
                    == ["csv"])
        }
    }
}
