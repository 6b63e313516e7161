import NIOCore
import NIOPosix

@testable import Federation

/// A man in the middle who does everything but hold the token: it terminates each worker's TLS with
/// a certificate of its own, dials the master over TLS as a worker would (accepting any certificate),
/// and copies the decrypted bytes both ways. Without channel binding it could pass the token
/// handshake along and then read every frame.
final class TLSRelay: Sendable {
    let channel: any Channel
    var port: Int { channel.localAddress!.port! }

    init(group: any EventLoopGroup, identity: MasterTLS, masterPort: Int) async throws {
        let upstreamTLS = try WorkerTLS(pin: nil)
        channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { inbound in
                inbound.eventLoop.makeCompletedFuture {
                    let downstream = RelayPipe()
                    try inbound.pipeline.syncOperations.addHandlers([identity.handler(), downstream])
                    ClientBootstrap(group: inbound.eventLoop)
                        .channelInitializer { outbound in
                            outbound.eventLoop.makeCompletedFuture {
                                let upstream = RelayPipe()
                                try outbound.pipeline.syncOperations.addHandlers([
                                    upstreamTLS.handler(reportingTo: PinCheck()), upstream,
                                ])
                                upstream.pair(with: downstream)
                            }
                        }
                        .connect(host: "127.0.0.1", port: masterPort)
                        .whenFailure { _ in inbound.close(promise: nil) }
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    func close() async { try? await channel.close() }
}

/// One side of the relay's copy. Both sides of a pair live on the same event loop (the outbound
/// connection is made on the inbound one's loop), so they touch each other without locks.
private final class RelayPipe: ChannelDuplexHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var context: ChannelHandlerContext?
    private var partner: RelayPipe?
    /// What arrived before the partner's connection was up.
    private var pending: [ByteBuffer] = []

    func pair(with other: RelayPipe) {
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
