import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Protocol

/// HTTP/1.1 on the control socket: reads each request whole (refusing more than
/// `ControlAPI.maxRequestBytes` while it streams in), hands it to the router and writes the JSON
/// answer. A malformed request costs its own connection at most; the server keeps serving.
final class ControlServer: Sendable {
    typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

    private let listener: NIOAsyncChannel<Connection, Never>
    private let router: Router
    private let logger: Logger

    /// The event loop the listening channel lives on: loadd's "main loop" for watchdog pings.
    var eventLoop: any EventLoop { listener.channel.eventLoop }

    private init(listener: NIOAsyncChannel<Connection, Never>, router: Router, logger: Logger) {
        self.listener = listener
        self.router = router
        self.logger = logger
    }

    /// Starts listening on the bound socket `fd` (NIO takes it over and closes it with the channel).
    static func start(fd: Int32, group: any EventLoopGroup, router: Router, logger: Logger) async throws -> ControlServer {
        let listener = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .bind(fd) { channel in
                channel.eventLoop.makeCompletedFuture {
                    // withErrorHandling: a request NIO cannot parse gets a 400 and that connection closes.
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    return try Connection(wrappingChannelSynchronously: channel)
                }
            }
        return ControlServer(listener: listener, router: router, logger: logger)
    }

    /// Accepts and serves connections until the listener closes or the calling task is cancelled
    /// (which also ends idle keep-alive connections).
    func run() async {
        do {
            try await withThrowingDiscardingTaskGroup { group in
                try await listener.executeThenClose { connections in
                    for try await connection in connections {
                        group.addTask { await self.serve(connection) }
                    }
                }
                group.cancelAll()
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
        do {
            try await connection.executeThenClose { inbound, outbound in
                var head: HTTPRequestHead?
                var body: [UInt8] = []
                for try await part in inbound {
                    switch part {
                    case .head(let requestHead):
                        head = requestHead
                        body = []
                        let declared = requestHead.headers.first(name: "content-length").flatMap { Int($0) } ?? 0
                        if declared > ControlAPI.maxRequestBytes {
                            return try await refuseTooLarge(requestHead, outbound)
                        }
                        if requestHead.headers.first(name: "expect")?.lowercased() == "100-continue" {
                            // curl waits a second for this before sending a large body.
                            try await outbound.write(.head(HTTPResponseHead(version: requestHead.version, status: .continue)))
                        }
                    case .body(let buffer):
                        guard let requestHead = head else { continue }
                        // Chunked bodies announce no length: count what arrives.
                        if body.count + buffer.readableBytes > ControlAPI.maxRequestBytes {
                            return try await refuseTooLarge(requestHead, outbound)
                        }
                        body.append(contentsOf: buffer.readableBytesView)
                    case .end:
                        guard let requestHead = head else { continue }
                        head = nil
                        let request = APIRequest(method: requestHead.method, path: Self.path(of: requestHead.uri), body: body)
                        body = []
                        let response = await router.respond(to: request)
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

    /// Answers 413 and closes: the rest of the body is never read, so the connection cannot be reused.
    private func refuseTooLarge(_ head: HTTPRequestHead, _ outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>) async throws {
        let response = APIResponse.error(.payloadTooLarge, "request body is larger than \(ControlAPI.maxRequestBytes) bytes")
        logger.debug("control request refused", metadata: ["method": "\(head.method.rawValue)", "path": "\(head.uri)",
                                                           "status": "413"])
        try await write(response, for: head, keepAlive: false, outbound)
    }

    private func write(_ response: APIResponse, for head: HTTPRequestHead, keepAlive: Bool,
                       _ outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>) async throws {
        var headers = HTTPHeaders([("content-type", "application/json"), ("content-length", "\(response.body.count)")])
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

    /// The URI without its query string, which no route uses.
    private static func path(of uri: String) -> String {
        uri.firstIndex(of: "?").map { String(uri[..<$0]) } ?? uri
    }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
