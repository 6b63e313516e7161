import ArgumentParser

/// The exit statuses `loadctl` documents, so scripts and CI can tell a failed run from a typo, and
/// either from a daemon that said no.
enum ExitCodes {
    static let runFailed = ExitCode(1)
    static let badInput = ExitCode(2)
    static let daemonUnreachable = ExitCode(3)
    /// The daemon understood and refused: nothing is running to stop, a run is already going, the
    /// run to remove is the running one, or it is shutting down.
    static let refused = ExitCode(4)
}
