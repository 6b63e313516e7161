import ArgumentParser
import Protocol

/// `loadctl`: drives the local loadd daemon over its Unix socket, or runs a test in-process.
@main
struct LoadCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loadctl",
        abstract: "Run load tests in-process, or drive the loadd daemon.",
        discussion: "Exit status: 0 when the run passed, 1 when it failed (a threshold, an unreachable target, "
            + "or any failed request when no threshold is given), 2 for a usage or scenario error, "
            + "3 when the daemon cannot be reached, 4 when the daemon refused the action (nothing to stop, "
            + "a run already going, the running run to remove).",
        version: LoaddVersion.current,
        subcommands: [
            RunCommand.self, DemoCommand.self, ValidateCommand.self, ConvertCommand.self, TargetCommand.self,
            StartCommand.self, StatusCommand.self, UsersCommand.self, RateCommand.self, ResetCommand.self,
            StopCommand.self,
            RunsCommand.self, ReportCommand.self, WorkersCommand.self, UiCommand.self, VersionCommand.self,
            MarkCommand.self,
        ])
}
