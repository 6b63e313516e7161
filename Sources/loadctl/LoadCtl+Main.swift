import ArgumentParser
import Foundation

extension LoadCtl {
    /// `AsyncParsableCommand.main()` with one change: argument-parser's usage and validation errors
    /// (its exit status 64, EX_USAGE) exit 2, the status the README gives every usage or scenario
    /// error. `--help` still exits 0 and every status a command throws is kept as it is.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
            let message = fullMessage(for: error)
            if !message.isEmpty { FileHandle.standardError.write(Data((message + "\n").utf8)) }
            Foundation.exit(ExitCodes.badInput.rawValue)
        }
    }
}
