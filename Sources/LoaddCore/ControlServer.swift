import Federation
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Protocol
import Synchronization

/// HTTP/1.1 on the control socket: reads each request whole (refusing more than the route's body
/// limit while it streams in), hands it to the router and writes the JSON answer. A malformed
/// request costs its own connection at most; the server keeps serving. `ControlLimits` bounds what
/// clients may hold: connections (503 past the cap), time to send a request (408), idle time, and
/// the request bodies buffered at once.
final class ControlServer: Sendable {
    typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

    /// `nil` for a connection past the cap: its handlers answer 503 and close it.
    private let listener: NIOAsyncChannel<Connection?, Never>
    private let router: Router
    private let logger: Logger
    let limits: ControlLimits
    /// Request-body bytes buffered across all connections (see `ControlLimits.bufferedBodyBytes`).
    private let buffered: Atomic<Int>

    /// The event loop the listening channel lives on: loadd's "main loop" for watchdog pings.
    var eventLoop: any EventLoop { listener.channel.eventLoop }

    private init(listener: NIOAsyncChannel<Connection?, Never>, router: Router, limits: ControlLimits, logger: Logger) {
        self.listener = listener
        self.router = router
        self.limits = limits
        self.logger = logger
        buffered = Atomic(0)
    }

    /// Starts listening on the bound socket `fd` (NIO takes it over and closes it with the channel).
    static func start(
        fd: Int32, group: any EventLoopGroup, router: Router, limits: ControlLimits,
        logger: Logger
    ) async throws -> ControlServer {
        let open = OpenConnections()
        let listener = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .bind(fd) { channel -> EventLoopFuture<Connection?> in
                let count = open.count.wrappingAdd(1, ordering: .relaxed).newValue
                channel.closeFuture.whenComplete { _ in _ = open.count.wrappingSubtract(1, ordering: .relaxed) }
                return channel.eventLoop.makeCompletedFuture {
                    if count > limits.connections + limits.refusing {
                        // Too many even to answer: drop it at once so descriptors come back.
                        channel.close(promise: nil)
                        return nil
                    }
                    if count > limits.connections {
                        try channel.pipeline.syncOperations.addHandler(
                            ControlRefusalHandler(connections: limits.connections))
                        return nil
                    }
                    let raw = ControlRawWriter()
                    try channel.pipeline.syncOperations.addHandler(raw)
                    // withErrorHandling: a request NIO cannot parse gets a 400 and that connection closes.
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(ControlDeadlineHandler(limits: limits, raw: raw))
                    // Closed on deinit, not trapped on: a connection accepted while the listener closes
                    // (a client polling during shutdown) is dropped by the finished accept stream, and the
                    // non-deprecated initialiser's writer stops the process there ("Deinited
                    // NIOAsyncWriter without calling finish()"). Served ones still end in executeThenClose.
                    return try Connection(synchronouslyWrapping: channel)
                }
            }
        return ControlServer(listener: listener, router: router, limits: limits, logger: logger)
    }

    /// Connections open now, counted as they are accepted and closed.
    private final class OpenConnections: Sendable {
        let count = Atomic(0)
    }

    /// Accepts and serves connections until the listener closes or the calling task is cancelled
    /// (which also ends idle keep-alive connections).
    func run() async {
        do {
            // A connection past the cap (`nil`) is answered by its handlers alone.
            try await listener.acceptEach { connection in
                if let connection { await self.serve(connection) }
            }
        } catch {
            logger.notice("control socket stopped accepting", metadata: ["error": "\(error)"])
        }
    }

    /// Stops accepting; `run()` then returns once open connections are done.
    func close() async {
        try? await listener.channel.close()
    }

    private func serve(_ connection: Connection) async {
        var held = 0
        defer { _ = buffered.wrappingSubtract(held, ordering: .relaxed) }
        do {
            try await connection.executeThenClose { inbound, outbound in
                var head: HTTPRequestHead?
                var body: [UInt8] = []
                var limit = ControlAPI.maxRequestBytes
                for try await part in inbound {
                    switch part {
                    case .head(let requestHead):
                        head = requestHead
                        body = []
                        limit = Self.bodyLimit(requestHead)
                        switch Self.declaredLength(requestHead) {
                        case .invalid(let reason):
                            return try await refuse(requestHead, ControlError(.invalid, reason), outbound)
                        case .length(let declared) where declared > limit:
                            let refusal = ControlError(.tooLarge, "request body is larger than \(limit) bytes")
                            return try await refuse(requestHead, refusal, outbound)
                        case .length, .none:
                            break
                        }
                        if requestHead.headers.first(name: "expect")?.lowercased() == "100-continue" {
                            // curl waits a second for this before sending a large body.
                            try await outbound.write(
                                .head(HTTPResponseHead(version: requestHead.version, status: .continue)))
                        }
                    case .body(let buffer):
                        guard let requestHead = head else { continue }
                        // Chunked bodies announce no length: count what arrives.
                        if body.count + buffer.readableBytes > limit {
                            let refusal = ControlError(.tooLarge, "request body is larger than \(limit) bytes")
                            return try await refuse(requestHead, refusal, outbound)
                        }
                        let total = buffered.wrappingAdd(buffer.readableBytes, ordering: .relaxed).newValue
                        held += buffer.readableBytes
                        if total > limits.bufferedBodyBytes {
                            let refusal = ControlError(
                                .unavailable, "loadd is receiving too many large requests at once; try again shortly")
                            return try await refuse(requestHead, refusal, outbound)
                        }
                        body.append(contentsOf: buffer.readableBytesView)
                    case .end:
                        guard let requestHead = head else { continue }
                        head = nil
                        let request = APIRequest(
                            method: requestHead.method, path: Self.path(of: requestHead.uri), body: body,
                            headers: requestHead.headers, query: Self.query(of: requestHead.uri))
                        body = []
                        let response = await router.respond(to: request)
                        _ = buffered.wrappingSubtract(held, ordering: .relaxed)
                        held = 0
                        log(request, response)
                        try await write(response, for: requestHead, keepAlive: requestHead.isKeepAlive, outbound)
                        if !requestHead.isKeepAlive { return }
                    }
                }
            }
        } catch {
            logger.debug("control connection ended with an error", metadata: ["error": "\(error)"])
        }
    }

    /// `POST /v1/runs` (and `/v1/validate`, which checks the same body) carries the scenario's data
    /// files; every other request is small.
    private static func bodyLimit(_ head: HTTPRequestHead) -> Int {
        let path = path(of: head.uri)
        return head.method == .POST && (path == "/v1/runs" || path == "/v1/validate")
            ? ControlAPI.maxStartRequestBytes : ControlAPI.maxRequestBytes
    }

    enum DeclaredLength: Equatable {
        case none
        case length(Int)
        case invalid(String)
    }

    /// `Content-Length` read strictly: one header, decimal digits only, and a number that fits
    /// (2^63 and beyond used to read as 0).
    static func declaredLength(_ head: HTTPRequestHead) -> DeclaredLength {
        let values = head.headers["content-length"]
        guard let raw = values.first else { return .none }
        guard values.count == 1 else { return .invalid("content-length: given \(values.count) times; send it once") }
        let text = raw.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
            let length = Int(text)
        else {
            let shown = text.count > 40 ? String(text.prefix(40)) + "…" : text
            return .invalid(
                "content-length: '\(shown)' is not a length in bytes (a whole number from 0 to "
                    + "\(ControlAPI.maxStartRequestBytes))")
        }
        return .length(length)
    }

    /// Answers `status` and closes: the rest of the body is never read, so the connection cannot be reused.
    private func refuse(
        _ head: HTTPRequestHead, _ refusal: ControlError,
        _ outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>
    ) async throws {
        let response = refusal.response
        logger.debug(
            "control request refused",
            metadata: [
                "method": "\(head.method.rawValue)", "path": "\(head.uri)",
                "status": "\(refusal.status.code)",
                "error": "\(refusal.error.error)",
            ])
        try await write(response, for: head, keepAlive: false, outbound)
    }

    private func write(
        _ response: APIResponse, for head: HTTPRequestHead, keepAlive: Bool,
        _ outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>
    ) async throws {
        var headers = HTTPHeaders([
            ("content-type", response.contentType), ("content-length", "\(response.body.count)"),
        ])
        headers.add(contentsOf: response.headers)
        if !keepAlive { headers.add(name: "connection", value: "close") }
        let responseHead = HTTPResponseHead(version: head.version, status: response.status, headers: headers)
        try await outbound.write(contentsOf: [
            .head(responseHead), .body(.byteBuffer(ByteBuffer(bytes: response.body))), .end(nil),
        ])
    }

    /// Client mistakes at debug (they are the client's to see), our own failures at notice.
    private func log(_ request: APIRequest, _ response: APIResponse) {
        guard response.status.code >= 400 else { return }
        let metadata: Logger.Metadata = [
            "method": "\(request.method.rawValue)", "path": "\(request.path)", "status": "\(response.status.code)",
            "error": "\(String(decoding: response.body, as: UTF8.self).trimmingSuffix("\n"))",
        ]
        logger.log(level: response.status.code >= 500 ? .notice : .debug, "control request refused", metadata: metadata)
    }

    /// The URI without its query string.
    private static func path(of uri: String) -> String {
        uri.firstIndex(of: "?").map { String(uri[..<$0]) } ?? uri
    }

    /// The query string after `?`, empty when there is none.
    private static func query(of uri: String) -> String {
        uri.firstIndex(of: "?").map { String(uri[uri.index(after: $0)...]) } ?? ""
    }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
