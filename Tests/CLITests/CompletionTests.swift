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
            let generate = try ChildProcess(DaemonBinaries.loadctl, ["--generate-completion-script", "bash"], outputPath: script)
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
            let run = try ChildProcess("/bin/bash", ["-c", tab, "tab", script, folder],
                                       outputPath: fixture.directory + "/completion.out")
            #expect(run.waitForExit() == 0)
            let offered = Set(run.output.split(separator: "\n").map(String.init))
            #expect(offered == ["smoke.yaml", "soak.yml", "nested"], "loadctl \(command) <Tab> offered \(offered)")
        }
    }
}
