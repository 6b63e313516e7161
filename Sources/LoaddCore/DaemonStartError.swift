/// A reason loadd cannot start, already worded for the operator.
public struct DaemonStartError: Error {
    public var message: String

    public init(message: String) { self.message = message }
}
