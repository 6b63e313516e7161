import Dispatch
import Glibc

/// Delivers SIGTERM, SIGINT and SIGHUP as an async sequence for the daemon's main task. Dispatch
/// sources read them through signalfd-like machinery, so no work runs in a C signal handler.
final class SignalEvents {
    let events: AsyncStream<Int32>
    private let sources: [any DispatchSourceSignal]

    /// Installs the sources; call before anything slow so an early SIGTERM is not the default kill.
    init(_ numbers: [Int32] = [SIGTERM, SIGINT, SIGHUP]) {
        let (stream, continuation) = AsyncStream<Int32>.makeStream(bufferingPolicy: .unbounded)
        events = stream
        sources = numbers.map { number in
            // The default disposition would end (or for SIGHUP, kill) the process before the source sees it.
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
    }

    func cancel() {
        for source in sources { source.cancel() }
    }

    static func name(_ number: Int32) -> String {
        switch number {
        case SIGTERM: "SIGTERM"
        case SIGINT: "SIGINT"
        case SIGHUP: "SIGHUP"
        default: "signal \(number)"
        }
    }
}
