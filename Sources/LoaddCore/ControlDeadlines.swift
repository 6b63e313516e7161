import Foundation
import NIOCore
import NIOHTTP1
import Protocol

/// Closes a control connection whose client is too slow: no whole request within
/// `requestTimeout` (answered 408 with the reason first), or kept alive with no request for
/// `idleTimeout`. While the daemon works on a request no timer runs: a start may take a while.
final class ControlDeadlineHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let limits: ControlLimits
    private let raw: ControlRawWriter
    private var timer: Scheduled<Void>?
    private var readingRequest = false

    init(limits: ControlLimits, raw: ControlRawWriter) {
        self.limits = limits
        self.raw = raw
    }

    func handlerAdded(context: ChannelHandlerContext) {
        // A new connection waits for its first request under the request deadline.
        arm(context, after: limits.requestTimeout, idle: false)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            if !readingRequest {
                readingRequest = true
                arm(context, after: limits.requestTimeout, idle: false)
            }
        case .body:
            break
        case .end:
            readingRequest = false
            timer?.cancel()
            timer = nil
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), !readingRequest {
            arm(context, after: limits.idleTimeout, idle: true)
        }
        context.write(data, promise: promise)
    }

    private func arm(_ context: ChannelHandlerContext, after delay: Duration, idle: Bool) {
        timer?.cancel()
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: TimeAmount(delay)) {
            let (handler, context) = bound.value
            handler.expire(context, idle: idle)
        }
    }

    private func expire(_ context: ChannelHandlerContext, idle: Bool) {
        timer = nil
        guard context.channel.isActive else { return }
        if idle {
            context.close(promise: nil)
            return
        }
        let message =
            "no complete request within \(limits.requestTimeout) (control_request_timeout:); closing the connection"
        raw.refuse(ControlError(.timedOut, message))
    }
}

/// A connection past `ControlLimits.connections`, before any HTTP handler: the first bytes it
/// sends are answered 503 with the reason, then it closes; a client that sends nothing is closed
/// after a second.
final class ControlRefusalHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let message: String
    private var answered = false

    init(connections: Int) {
        message =
            "loadd is serving its maximum of \(connections) control connections (control_connections:); "
            + "try again when one closes"
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(in: .seconds(1)) { bound.value.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !answered else { return }
        answered = true
        ControlRefusal.write(ControlError(.unavailable, message), context: context)
    }
}

/// The front of a control connection's pipeline, so an answer that is not the reply to a request
/// (a 408 for a client that never finished one) goes out as plain bytes, past the HTTP handlers,
/// which only expect replies to requests.
final class ControlRawWriter: ChannelOutboundHandler {
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var context: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    /// Writes the refusal's answer, then closes. On the channel's event loop.
    func refuse(_ refusal: ControlError) {
        guard let context else { return }
        ControlRefusal.write(refusal, context: context)
    }
}

/// One JSON error answer as raw HTTP/1.1 bytes, written at a byte-level handler, then the
/// connection closes.
enum ControlRefusal {
    static func write(_ refusal: ControlError, context: ChannelHandlerContext) {
        let status = refusal.status
        let body = WireJSON.encode(refusal.error)
        let head =
            "HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\ncontent-type: application/json\r\n"
            + "content-length: \(body.count)\r\nconnection: close\r\n\r\n"
        var buffer = context.channel.allocator.buffer(capacity: head.utf8.count + body.count)
        buffer.writeString(head)
        buffer.writeBytes(body)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(NIOAny(buffer)).whenComplete { _ in
            bound.value.close(promise: nil)
        }
    }
}
