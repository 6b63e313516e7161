import NIOCore
import NIOHTTP1
import NIOHTTP2
import Synchronization

/// What the target saw, by protocol: a test asks it whether a client really spoke HTTP/2.
public struct ProtocolStats: Sendable, Hashable {
    /// Connections that spoke HTTP/1.x.
    public var http1Connections: Int
    /// Connections that opened with the HTTP/2 preface (h2c with prior knowledge, or h2 over TLS).
    public var http2Connections: Int
    /// Requests answered on HTTP/2 streams.
    public var http2Requests: Int
}

/// Counted once per connection (and once per HTTP/2 stream), never per HTTP/1 request.
final class ProtocolCounters: Sendable {
    let http1Connections = Atomic<Int>(0)
    let http2Connections = Atomic<Int>(0)
    let http2Requests = Atomic<Int>(0)

    var snapshot: ProtocolStats {
        ProtocolStats(
            http1Connections: http1Connections.load(ordering: .relaxed),
            http2Connections: http2Connections.load(ordering: .relaxed),
            http2Requests: http2Requests.load(ordering: .relaxed))
    }
}

/// How each accepted connection is set up: TLS first when configured, then HTTP/1.1 or HTTP/2 on the
/// same port, told apart by the first bytes (the HTTP/2 connection preface, RFC 9113 §3.4).
struct ConnectionSetup: Sendable {
    let tls: TargetTLSContext?
    let counters = ProtocolCounters()

    func configure(_ channel: any Channel, state: NIOLoopBoundBox<LoopState>) throws {
        let sync = channel.pipeline.syncOperations
        if let tls { try sync.addHandler(tls.makeHandler()) }
        try sync.addHandler(ProtocolSniffer(state: state, counters: counters))
    }
}

/// Waits for enough bytes to tell HTTP/2's preface from an HTTP/1 request line, builds the matching
/// pipeline behind itself, hands it the bytes read so far and leaves.
final class ProtocolSniffer: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    private let state: NIOLoopBoundBox<LoopState>
    private let counters: ProtocolCounters
    private var buffered: ByteBuffer?

    init(state: NIOLoopBoundBox<LoopState>, counters: ProtocolCounters) {
        self.state = state
        self.counters = counters
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if buffered == nil { buffered = incoming } else { buffered!.writeBuffer(&incoming) }
        let seen = buffered!.readableBytesView
        let count = min(seen.count, Self.preface.count)
        let http2: Bool
        if !seen.prefix(count).elementsEqual(Self.preface.prefix(count)) {
            http2 = false
        } else if count == Self.preface.count {
            http2 = true
        } else {
            return   // a prefix of the preface so far: wait for more
        }
        do {
            let sync = context.pipeline.syncOperations
            if http2 {
                counters.http2Connections.wrappingAdd(1, ordering: .relaxed)
                let box = state
                let counters = counters
                // libcurl 7.x ends each finished stream with a RST_STREAM, which NIOHTTP2's defence
                // against rapid-reset floods counts: after 200 in 30 s it closes the connection with
                // GOAWAY(ENHANCE_YOUR_CALM) and the requests on it fail. A test target serves load
                // generators on loopback, not the internet: a load connection must never be cut. The
                // limits keep their count (each is a ring buffer of that size, allocated per
                // connection) and get a 1 ms window instead: 200,000 per second per connection.
                var connection = NIOHTTP2Handler.ConnectionConfiguration()
                connection.maximumConnectionGlitches = Int(Int32.max)
                connection.controlFrameRateLimit.windowLength = .milliseconds(1)
                var streams = NIOHTTP2Handler.StreamConfiguration()
                streams.streamResetFrameRateLimit.windowLength = .milliseconds(1)
                streams.streamErrorRateLimit.windowLength = .milliseconds(1)
                _ = try sync.configureHTTP2Pipeline(
                    mode: .server, connectionConfiguration: connection, streamConfiguration: streams
                ) { stream in
                    stream.eventLoop.makeCompletedFuture {
                        let streamSync = stream.pipeline.syncOperations
                        try streamSync.addHandler(HTTP2FramePayloadToHTTP1ServerCodec())
                        try streamSync.addHandler(HTTP2StreamAdapter(counters: counters))
                        try streamSync.addHandler(TargetHandler(loop: box.value))
                    }
                }
            } else {
                counters.http1Connections.wrappingAdd(1, ordering: .relaxed)
                try sync.configureHTTPServerPipeline(withPipeliningAssistance: true, withErrorHandling: true)
                try sync.addHandler(TargetHandler(loop: state.value))
            }
        } catch {
            context.close(promise: nil)
            return
        }
        let bytes = buffered!
        buffered = nil
        context.fireChannelRead(wrapInboundOut(bytes))
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}

/// Lets `TargetHandler`, written for HTTP/1.1, answer an HTTP/2 stream: the request reads as a
/// keep-alive HTTP/1.1 one (a stream never closes its connection), and each response says
/// `x-protocol: h2` so a client (`curl -v`) sees which protocol the target spoke.
final class HTTP2StreamAdapter: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let counters: ProtocolCounters

    init(counters: ProtocolCounters) {
        self.counters = counters
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var part = unwrapInboundIn(data)
        if case .head(var head) = part {
            counters.http2Requests.wrappingAdd(1, ordering: .relaxed)
            head.version = .http1_1
            part = .head(head)
        }
        context.fireChannelRead(wrapInboundOut(part))
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        var part = unwrapOutboundIn(data)
        if case .head(var head) = part, head.status != .continue {
            head.headers.replaceOrAdd(name: "x-protocol", value: "h2")
            part = .head(head)
        }
        context.write(wrapOutboundOut(part), promise: promise)
    }
}
