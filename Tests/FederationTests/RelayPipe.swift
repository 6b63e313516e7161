import NIOCore

/// One side of a test relay's copy (`TLSRelay`, `CuttableRelay`). Both sides of a pair live on the same event loop (the outbound
/// connection is made on the inbound one's loop), so they touch each other without locks.
final class RelayPipe: ChannelDuplexHandler, @unchecked Sendable {
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
