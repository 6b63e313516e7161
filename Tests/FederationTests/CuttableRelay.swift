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
                    if !inner.cut { inner.open[ObjectIdentifier(inbound)] = inbound }
                    return inner.cut
                }
                guard !refused else { return inbound.close() }
                inbound.closeFuture.whenComplete { _ in
                    _ = state.inner.withLock { $0.open.removeValue(forKey: ObjectIdentifier(inbound)) }
                }
                return inbound.eventLoop.makeCompletedFuture {
                    let downstream = PlainPipe()
                    try inbound.pipeline.syncOperations.addHandler(downstream)
                    ClientBootstrap(group: inbound.eventLoop)
                        .channelInitializer { outbound in
                            outbound.eventLoop.makeCompletedFuture {
                                let upstream = PlainPipe()
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

    func restore() {
        state.inner.withLock { $0.cut = false }
    }

    func close() async { try? await channel.close() }
}

/// One side of the relay's copy; both sides of a pair live on one event loop (the outbound
/// connection is made on the inbound one's), so they touch each other without locks.
private final class PlainPipe: ChannelDuplexHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var context: ChannelHandlerContext?
    private var partner: PlainPipe?
    /// What arrived before the partner's connection was up.
    private var pending: [ByteBuffer] = []

    func pair(with other: PlainPipe) {
        partner = other
        other.partner = self
        for buffer in other.pending { send(buffer) }
        other.pending.removeAll()
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        if let partner { partner.send(buffer) } else { pending.append(buffer) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        partner?.context?.close(promise: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func send(_ buffer: ByteBuffer) {
        context?.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }
}
