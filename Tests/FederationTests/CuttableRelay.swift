import NIOCore
import NIOPosix
import Synchronization

/// A plain TCP relay between workers and a master that a test can cut: `cut()` closes every
/// connection through it and refuses new ones until `restore()`, as a network outage would (both
/// ends see their connection close; a worker redialling meanwhile is hung up on at once).
final class CuttableRelay: Sendable {
    let channel: any Channel
    var port: Int { channel.localAddress!.port! }
    private let state: State

    private final class State: Sendable {
        struct Inner {
            var cut = false
            var open: [ObjectIdentifier: any Channel] = [:]
            /// Connections hung up on while cut.
            var refused = 0
        }
        let inner = Mutex(Inner())
    }

    init(group: any EventLoopGroup, upstreamPort: Int) async throws {
        let state = State()
        self.state = state
        channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { inbound in
                let refused = state.inner.withLock { inner in
                    if inner.cut { inner.refused += 1 } else { inner.open[ObjectIdentifier(inbound)] = inbound }
                    return inner.cut
                }
                guard !refused else { return inbound.close() }
                inbound.closeFuture.whenComplete { _ in
                    _ = state.inner.withLock { $0.open.removeValue(forKey: ObjectIdentifier(inbound)) }
                }
                return inbound.eventLoop.makeCompletedFuture {
                    let downstream = RelayPipe()
                    try inbound.pipeline.syncOperations.addHandler(downstream)
                    ClientBootstrap(group: inbound.eventLoop)
                        .channelInitializer { outbound in
                            outbound.eventLoop.makeCompletedFuture {
                                let upstream = RelayPipe()
                                try outbound.pipeline.syncOperations.addHandler(upstream)
                                upstream.pair(with: downstream)
                            }
                        }
                        .connect(host: "127.0.0.1", port: upstreamPort)
                        .whenFailure { _ in inbound.close(promise: nil) }
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    /// Closes every connection through the relay and refuses new ones.
    func cut() {
        let open = state.inner.withLock { inner in
            inner.cut = true
            return Array(inner.open.values)
        }
        for connection in open { connection.close(promise: nil) }
    }

    /// Connections hung up on while cut: a worker redialling into the outage.
    var refusedDials: Int { state.inner.withLock { $0.refused } }

    func restore() {
        state.inner.withLock { $0.cut = false }
    }

    func close() async { try? await channel.close() }
}
