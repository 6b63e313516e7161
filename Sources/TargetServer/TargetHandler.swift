import NIOCore
import NIOHTTP1

/// Answers the requests of one connection. `HTTPServerPipelineHandler` sits in front of it, so requests
/// arrive one at a time and a held response keeps pipelined requests behind it in order.
final class TargetHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// What is kept from a request head until its end arrives; bodies are read and dropped.
    private struct Request {
        var route: Route
        var method: HTTPMethod
        var uri: String
        var version: HTTPVersion
        var keepAlive: Bool
        /// Set for the board's endpoints (BoardEndpoints.swift), which read headers and the body.
        var board: BoardRequest?
        /// The `Authorization` header, kept for the routes that check it.
        var authorization: String? = nil
    }

    private let loop: LoopState
    private var current: Request?
    /// The response being held back by a delay; cancelled if the client goes away.
    private var held: Scheduled<Void>?
    private var isActive = true

    init(loop: LoopState) {
        self.loop = loop
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            let route = Route(uri: head.uri)
            current = Request(
                route: route, method: head.method,
                uri: route == .control || route.isTokenAuth ? head.uri : "",
                version: head.version, keepAlive: head.isKeepAlive,
                authorization: route.isTokenAuth ? head.headers.first(name: "authorization") : nil)
            if route == .unmatched, let board = BoardRoute(uri: head.uri) {
                current?.board = BoardRequest(route: board, head: head)
            }
            if head.method == .POST { continueIfExpected(head, context: context) }
        case .body(let chunk):
            current?.board?.append(chunk)
        case .end:
            guard let request = current else { return }
            current = nil
            answer(request, context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        isActive = false
        held?.cancel()
        held = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func answer(_ request: Request, context: ChannelHandlerContext) {
        let route = request.route
        if let board = request.board {
            let response = BoardEndpoints.respond(
                to: board, method: request.method, board: loop.shared.board,
                allocator: loop.allocator)
            send(response, counting: nil, for: request, context: context)
            return
        }
        guard route.allows(request.method) else {
            let refusal =
                route == .unmatched ? loop.responses.notFound : loop.responses.methodNotAllowed[route.rawValue]
            send(refusal, counting: .unmatched, for: request, context: context)
            return
        }
        if route.isTokenAuth {
            let response = TokenEndpoints.respond(
                to: route, uri: request.uri, authorization: request.authorization,
                allocator: loop.allocator)
            send(response, counting: route, for: request, context: context)
            return
        }
        guard route.isWorkload else {
            let response = AdminEndpoints.respond(to: route, method: request.method, uri: request.uri, loop: loop)
            send(response, counting: nil, for: request, context: context)
            return
        }
        let admission = loop.admit(route)
        if admission.hold == .zero {
            sendAfterStall(admission.response, route: route, for: request, context: context)
        } else {
            held = context.eventLoop.assumeIsolated().scheduleTask(in: admission.hold) { [self] in
                held = nil
                sendAfterStall(admission.response, route: route, for: request, context: context)
            }
        }
    }

    /// Sends now, or when the stall ends if one is on: a stall that begins while a response is being
    /// delayed catches it too.
    private func sendAfterStall(
        _ response: CannedResponse, route: Route, for request: Request,
        context: ChannelHandlerContext
    ) {
        guard loop.stallEnd() != nil else {
            send(response, counting: route, for: request, context: context)
            return
        }
        loop.afterStall { [self] in
            // The client may have gone while it waited; the loop cannot unregister a waiter, so check here.
            guard isActive else { return }
            send(response, counting: route, for: request, context: context)
        }
    }

    private func send(
        _ response: CannedResponse, counting route: Route?, for request: Request,
        context: ChannelHandlerContext
    ) {
        var head = response.head
        if !request.keepAlive {
            head.headers.replaceOrAdd(name: "connection", value: "close")
        } else if request.version.minor == 0 {
            // An HTTP/1.0 client closes unless the response confirms the keep-alive it asked for.
            head.headers.replaceOrAdd(name: "connection", value: "keep-alive")
        }
        // Counted before the write, so a client that has read the response and then asks /stats sees it.
        if let route { loop.counters.increment(route) }
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(response.body))), promise: nil)
        if request.keepAlive {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
                context.close(promise: nil)
            }
        }
    }

    /// Large POST bodies from curl wait up to a second for `100 Continue` unless the server sends it.
    private func continueIfExpected(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        guard head.version.minor >= 1,
            let expect = head.headers.first(name: "expect"), expect.lowercased() == "100-continue"
        else { return }
        let interim = HTTPResponseHead(version: head.version, status: .continue)
        context.writeAndFlush(wrapOutboundOut(.head(interim)), promise: nil)
    }
}
