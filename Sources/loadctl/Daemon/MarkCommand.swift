import ArgumentParser
import Protocol
import Report

/// `loadctl mark "scaled web to 5 pods"`: stamp an event into the running test, for the reports'
/// timeline and the journal. A deploy script calls it before and after a rollout.
struct MarkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mark", abstract: "Stamp an event (a deploy, a restart) into the running test's timeline.")

    @Argument(help: "What happened, one line of at most \(RunMark.maxTextCharacters) characters.") var text: String
    @OptionGroup var daemon: DaemonOptions

    func validate() throws {
        if let problem = RunMark.problem(text: text) { throw ValidationError(problem) }
    }

    func run() throws {
        let mark: RunMark = try withDaemon { try daemon.client.post("/v1/marks", body: MarkRequest(text: text)) }
        daemon.json
            ? Console.json(mark) : Console.out("marked at \(formatFixed(mark.elapsedS, decimals: 1)) s: \(mark.text)")
    }
}
