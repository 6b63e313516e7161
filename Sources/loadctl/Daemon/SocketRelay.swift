import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// `loadctl ui`'s relay: accepts browser connections on a loopback TCP port and copies bytes both
/// ways between each one and a fresh connection to loadd's control socket. It parses nothing: loadd
/// sees the browser's own request (its `Host` and `Origin` included) and applies its own checks and
/// limits, so every relayed connection also counts against `control_connections`. At most
/// `maxConnections` are relayed at once; the next is answered 503 and closed.
final class SocketRelay: Sendable {
    typealias Bytes = NIOAsyncChannel<ByteBuffer, ByteBuffer>

    static let connectionRange = 1...1024

    private let listener: NIOAsyncChannel<Bytes, Never>
    private let socketPath: String
    private let maxConnections: Int
    private let open = Atomic(0)

    /// The port actually bound (the one asked for, or the kernel's pick for port 0).
    var port: Int { listener.channel.localAddress?.port ?? 0 }

    private init(listener: NIOAsyncChannel<Bytes, Never>, socketPath: String, maxConnections: Int) {
        self.listener = listener
        self.socketPath = socketPath
        self.maxConnections = maxConnections
    }

    static func start(host: String, port: Int, socketPath: String, maxConnections: Int) async throws -> SocketRelay {
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try Bytes(wrappingChannelSynchronously: channel) }
            }
        return SocketRelay(listener: listener, socketPath: socketPath, maxConnections: maxConnections)
    }

    /// Accepts until the listener closes or the task is cancelled (which ends every relay too).
    func run() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            try await listener.executeThenClose { clients in
                for try await client in clients {
                    let count = open.wrappingAdd(1, ordering: .relaxed).newValue
                    group.addTask {
                        defer { _ = self.open.wrappingSubtract(1, ordering: .relaxed) }
                        if count > self.maxConnections {
                            await Self.answer(
                                client, 503, "loadctl ui relays at most \(self.maxConnections) connections at once")
                        } else {
                            await self.relay(client)
                        }
                    }
                }
            }
            group.cancelAll()
        }
    }

    func close() async {
        try? await listener.channel.close()
    }

    private func relay(_ client: Bytes) async {
        let upstream: Bytes
        do {
            upstream = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(unixDomainSocketPath: socketPath) { channel in
                    channel.eventLoop.makeCompletedFuture { try Bytes(wrappingChannelSynchronously: channel) }
                }
        } catch {
            await Self.answer(client, 502, "loadctl ui cannot reach loadd at \(socketPath): \(error)")
            return
        }
        try? await client.executeThenClose { clientIn, clientOut in
            try await upstream.executeThenClose { upIn, upOut in
                // Whichever side closes first ends both: loadd's idle and request timeouts end a
                // browser's idle connection here too.
                try await withThrowingTaskGroup(of: Void.self) { both in
                    both.addTask { for try await bytes in clientIn { try await upOut.write(bytes) } }
                    both.addTask { for try await bytes in upIn { try await clientOut.write(bytes) } }
                    _ = try await both.next()
                    both.cancelAll()
                }
            }
        }
    }

    /// A whole HTTP answer from the relay itself (loadd never saw the request), then close.
    private static func answer(_ client: Bytes, _ status: Int, _ message: String) async {
        let reason = status == 503 ? "Service Unavailable" : "Bad Gateway"
        let body =
            "{\"error\":\"\(message.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\""))\",\"details\":[]}\n"
        let text =
            "HTTP/1.1 \(status) \(reason)\r\ncontent-type: application/json\r\ncontent-length: \(body.utf8.count)\r\n"
            + "connection: close\r\n\r\n" + body
        try? await client.executeThenClose { _, outbound in
            try await outbound.write(ByteBuffer(string: text))
        }
    }
}
