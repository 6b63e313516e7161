import Federation
import Protocol

extension ControlError {
    /// The fleet's refusal as the control API answers it: the one place a `FederationError` (and a
    /// `SplitError` inside it) becomes the text a client reads. `kind` is the route's: `.conflict`
    /// when a run cannot start, `.unprocessable` when a running one cannot take the change.
    init(_ kind: Kind, _ error: FederationError, secrets: SecretValues = SecretValues([])) {
        let text =
            switch error.cause {
            case .message(let text): text
            case .split(let split): split.description
            }
        self.init(kind, secrets.redact(text))
    }
}
