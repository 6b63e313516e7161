import Protocol

/// How much of the daemon one control-socket client may hold, so idle or slow clients cannot
/// exhaust its descriptors or its memory (`control_*:` in loadd.yaml).
struct ControlLimits: Sendable {
    static let connectionRange = 1...4096
    static let timeoutRange: ClosedRange<Duration> = .milliseconds(100) ... .seconds(3600)
    static let defaultRequestTimeout: Duration = .seconds(10)
    static let defaultIdleTimeout: Duration = .seconds(60)

    /// Connections served at once; the next one is answered 503 and closed.
    var connections: Int
    /// From a connection's start (or, on a kept-alive connection, from the head of its next request)
    /// to the end of a whole request; past it the client gets 408 and the connection closes. Between
    /// requests the idle timeout applies instead.
    var requestTimeout: Duration
    /// A kept-alive connection with no request for this long is closed.
    var idleTimeout: Duration
    /// Connections past `connections` that are still answered 503 (each for at most a second);
    /// past those, new connections are closed unanswered.
    var refusing = 64
    /// Request bodies buffered across all connections at once; a body that would pass it is
    /// answered 503 (a few clients uploading big bundles together cannot take all memory).
    var bufferedBodyBytes = 2 * ControlAPI.maxStartRequestBytes

    init(connections: Int, requestTimeout: Duration = defaultRequestTimeout, idleTimeout: Duration = defaultIdleTimeout)
    {
        self.connections = connections
        self.requestTimeout = requestTimeout
        self.idleTimeout = idleTimeout
    }

    init(_ file: ConfigFile, openFilesLimit: UInt64) {
        self.init(
            connections: file.controlConnections ?? Self.defaultConnections(openFilesLimit: openFilesLimit),
            requestTimeout: file.controlRequestTimeout ?? Self.defaultRequestTimeout,
            idleTimeout: file.controlIdleTimeout ?? Self.defaultIdleTimeout)
    }

    /// 256, or a sixteenth of the open-files limit when that is smaller (64 at the usual 1024), so
    /// control clients never take the descriptors the engine's users are promised.
    static func defaultConnections(openFilesLimit: UInt64) -> Int {
        min(256, max(8, Int(clamping: openFilesLimit / 16)))
    }
}
