import ArgumentParser

/// The exit statuses `loadctl` documents, so scripts and CI can tell a failed run from a typo.
enum ExitCodes {
    static let runFailed = ExitCode(1)
    static let badInput = ExitCode(2)
    static let daemonUnreachable = ExitCode(3)
}
