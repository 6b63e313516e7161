import NIOHTTP1
import Protocol

/// The one mapping of a refusal to HTTP, used by the router for every route's errors and its own
/// (404, 405, 403), and by the control server for what it refuses before a route runs (400, 413,
/// 408, 503): the body is always the `APIError` as wire JSON.
extension ControlError.Kind {
    var status: HTTPResponseStatus {
        switch self {
        case .invalid: .badRequest
        case .tooLarge: .payloadTooLarge
        case .notFound: .notFound
        case .conflict: .conflict
        case .unprocessable: .unprocessableEntity
        case .unavailable: .serviceUnavailable
        case .forbidden: .forbidden
        case .methodNotAllowed: .methodNotAllowed
        case .timedOut: .requestTimeout
        case .failed: .internalServerError
        }
    }
}

extension ControlError {
    var status: HTTPResponseStatus { kind.status }

    var response: APIResponse { .json(error, status: status) }
}
