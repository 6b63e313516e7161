import Dispatch
import Glibc

/// loadctl's one signal source (`run`, `target`, `ui`): delivers the given signals as an async
/// sequence and, when given, to a handler (`loadctl run` stops its engine on Ctrl-C). Dispatch
/// sources read them through signalfd-like machinery, so no work runs in a C signal handler.
/// Sources are only created and cancelled here. The daemon's signals come from its
/// `SignalService` instead (swift-service-lifecycle's source, which its `ServiceGroup` is built on).
public final class SignalEvents: @unchecked Sendable {
    public let events: AsyncStream<Int32>
    private let sources: [any DispatchSourceSignal]

    /// Installs the sources; call before anything slow so an early signal is not the default kill.
    public init(_ numbers: [Int32] = [SIGTERM, SIGINT, SIGHUP], onSignal: (@Sendable (Int32) -> Void)? = nil) {
        let (stream, continuation) = AsyncStream<Int32>.makeStream(bufferingPolicy: .unbounded)
        events = stream
        sources = numbers.map { number in
            // The default disposition would end (or for SIGHUP, kill) the process before the source sees it.
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                continuation.yield(number)
                onSignal?(number)
            }
            source.resume()
            return source
        }
    }

    public func cancel() {
        for source in sources { source.cancel() }
    }

    public static func name(_ number: Int32) -> String {
        switch number {
        case SIGTERM: "SIGTERM"
        case SIGINT: "SIGINT"
        case SIGHUP: "SIGHUP"
        default: "signal \(number)"
        }
    }
}
