import NIOCore
import Protocol
import Synchronization

/// A framed federation connection as the async world sees it.
typealias FramedChannel = NIOAsyncChannel<FederationMessage, FederationMessage>

/// One federation connection, either side: a reader that hands each message to its owner in
/// order, and a mailbox written out in order. Owners send with `send` (never blocking, so an actor
/// never awaits a slow peer) and end it with `close`, which first writes what is queued.
final class Link: Sendable {
    let channel: any Channel
    /// `HOST:PORT` of the peer, for logs and `loadctl workers`.
    let address: String
    private let outgoing: AsyncStream<FederationMessage>
    private let mailbox: AsyncStream<FederationMessage>.Continuation
    /// Why this side closed, if it did; `nil` while open or when the peer closed first.
    private let closeReason = Mutex<String?>(nil)

    init(channel: any Channel) {
        self.channel = channel
        address = Self.describe(channel.remoteAddress)
        (outgoing, mailbox) = AsyncStream.makeStream(of: FederationMessage.self, bufferingPolicy: .unbounded)
    }

    func send(_ message: FederationMessage) {
        mailbox.yield(message)
    }

    /// Writes anything queued (and `last`), then closes the connection. The first reason wins.
    func close(reason: String, after last: FederationMessage? = nil) {
        closeReason.withLock { if $0 == nil { $0 = reason } }
        if let last { mailbox.yield(last) }
        mailbox.finish()
    }

    var localCloseReason: String? { closeReason.withLock { $0 } }

    /// How a connection ended.
    enum End: Sendable {
        /// This side closed it, for the reason given.
        case closed(String)
        /// The peer closed it (or the network did).
        case peerClosed
        /// Bytes that are not frames, or a read error.
        case failed(any Error)
    }

    /// Serves the connection until it closes. `onMessage` sees every message in order; `onFailure`
    /// sees a read error first, while a last message (a refusal) can still be sent.
    func run(_ connection: FramedChannel, onMessage: @escaping @Sendable (FederationMessage) async -> Void,
             onFailure: @escaping @Sendable (any Error) async -> Void = { _ in }) async -> End {
        let channel = self.channel
        let outgoing = self.outgoing
        let mailbox = self.mailbox
        let readerEnd: End
        do {
            readerEnd = try await connection.executeThenClose { inbound, outbound in
                await withTaskGroup(of: End?.self) { group in
                    // Writer: drains the mailbox; once it is closed and empty, closes the channel,
                    // which also ends the reader.
                    group.addTask {
                        do {
                            for await message in outgoing { try await outbound.write(message) }
                        } catch {}
                        channel.close(promise: nil)
                        return nil
                    }
                    // Reader: when the peer goes, closing the mailbox lets the writer finish too.
                    group.addTask {
                        defer { mailbox.finish() }
                        do {
                            for try await message in inbound { await onMessage(message) }
                            return .peerClosed
                        } catch {
                            await onFailure(error)
                            return .failed(error)
                        }
                    }
                    var end: End = .peerClosed
                    for await result in group { if let result { end = result } }
                    return end
                }
            }
        } catch {
            readerEnd = .failed(error)
        }
        if let reason = localCloseReason { return .closed(reason) }
        return readerEnd
    }

    private static func describe(_ address: SocketAddress?) -> String {
        guard let address else { return "unknown" }
        if let ip = address.ipAddress, let port = address.port {
            return address.protocol == .inet6 ? "[\(ip)]:\(port)" : "\(ip):\(port)"
        }
        return "\(address)"
    }
}
