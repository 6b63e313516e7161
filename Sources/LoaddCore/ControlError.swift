import Protocol

/// Why the daemon refuses a control request: what kind of refusal it is, and the words a client
/// shows (`APIError`: a message and details). Thrown by the run manager, its drivers and the
/// routes, which know nothing of HTTP; `ControlError+HTTP.swift` is the one place a kind becomes
/// a status code.
struct ControlError: Error, Sendable {
    enum Kind: Sendable, Equatable {
        /// The request is wrong as sent: its body, a field, the scenario, a query value.
        case invalid
        /// The request, or what it carries, is larger than a limit allows.
        case tooLarge
        /// What the request names does not exist: a run, a run's file, an endpoint.
        case notFound
        /// The node's state forbids it now: no run is going, one is, this node's role.
        case conflict
        /// Well formed, but this node cannot carry it out: beyond its capacity, the engine refused.
        case unprocessable
        /// The daemon is going down, or holds all the requests it takes at once.
        case unavailable
        /// The request comes from a page of another origin (see `OriginCheck`).
        case forbidden
        /// The path exists, with other methods.
        case methodNotAllowed
        /// No whole request arrived in time.
        case timedOut
        /// The daemon's own failure: the run store, a damaged run, a bug.
        case failed
    }

    var kind: Kind
    var error: APIError

    init(_ kind: Kind, _ message: String, details: [String] = []) {
        self.kind = kind
        error = APIError(message, details: details)
    }

    /// The same refusal with every secret value shown as `***`.
    func redacted(_ secrets: SecretValues) -> ControlError {
        guard !secrets.isEmpty else { return self }
        return ControlError(kind, secrets.redact(error.error), details: secrets.redact(error.details))
    }
}
