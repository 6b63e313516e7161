import Federation
import NIOHTTP1
import Protocol

extension APIFailure {
    /// The fleet's refusal as the control API answers it: the one place a `FederationError` (and a
    /// `SplitError` inside it) becomes the text a client reads. `status` is the route's: 409 when a
    /// run cannot start, 422 when a running one cannot take the change.
    init(_ status: HTTPResponseStatus, _ error: FederationError, secrets: SecretValues = SecretValues([])) {
        let text = switch error.cause {
        case .message(let text): text
        case .split(let split): split.description
        }
        self.init(status, secrets.redact(text))
    }
}
