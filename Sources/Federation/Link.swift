import NIOCore
import Protocol
import Synchronization

/// A federation connection as the async world sees it: messages in, encoded frames out.
typealias FramedChannel = NIOAsyncChannel<FederationMessage, ByteBuffer>

/// One federation connection, either side: a reader that hands each message to its owner in
/// order, and a mailbox written out in order. Owners send with `send` (never blocking, so an actor
/// never awaits a slow peer) and end it with `close`, which first writes what is queued.
///
/// The mailbox is bounded in bytes: `send` encodes the frame at once and counts it until it is
/// written, and a peer that reads so slowly that more than `maxQueuedBytes` wait is closed with
/// that reason rather than growing this process.
final class Link: Sendable {
    let channel: any Channel
    /// `HOST:PORT` of the peer, for logs and `loadctl workers`; `host` alone, for per-address caps.
    let address: String
    let host: String
    /// The decoder's frame limit, raised once the peer has authenticated.
    let frameLimit: FrameLimit
    let maxQueuedBytes: Int
    private let outgoing: AsyncStream<ByteBuffer>
    private let mailbox: AsyncStream<ByteBuffer>.Continuation
    /// Encoded bytes sent but not yet handed to the channel.
    private let queuedBytes = Atomic<Int>(0)
    /// Why this side closed, if it did; `nil` while open or when the peer closed first.
    private let closeReason = Mutex<String?>(nil)

    /// Default bound on bytes waiting to be written: two of the largest frames.
    static let defaultMaxQueuedBytes = 2 * FederationProtocol.maxFrameBytes

    init(channel: any Channel, frameLimit: FrameLimit, maxQueuedBytes: Int = Link.defaultMaxQueuedBytes) {
        self.channel = channel
        self.frameLimit = frameLimit
        self.maxQueuedBytes = maxQueuedBytes
        address = Self.describe(channel.remoteAddress)
        host = channel.remoteAddress?.ipAddress ?? address
        (outgoing, mailbox) = AsyncStream.makeStream(of: ByteBuffer.self, bufferingPolicy: .unbounded)
    }

    /// Queues `message`. Returns the reason the link closed instead, when the message could not be
    /// encoded within the frame limit or the peer has left too many bytes unread (the caller logs it).
    @discardableResult
    func send(_ message: FederationMessage) -> String? {
        guard localCloseReason == nil else { return nil }
        switch encode(message) {
        case .success(let frame): return send(frame: frame)
        case .failure(let failure): return failure.reason
        }
    }

    /// A reason the link was closed with, as a `Result` failure.
    private struct Closed: Error { let reason: String }

    /// `message` as a frame within the frame limit; a message that cannot be encoded closes the link.
    private func encode(_ message: FederationMessage) -> Result<ByteBuffer, Closed> {
        var frame = ByteBuffer()
        do {
            try FrameEncoder.frame(message, into: &frame, maxFrameBytes: frameLimit.afterAuthentication)
            return .success(frame)
        } catch {
            let reason = "cannot send \(message.kind.stringValue): \(error)"
            close(reason: reason)
            return .failure(Closed(reason: reason))
        }
    }

    /// Queues a frame already encoded. Returns the reason the link closed instead, as `send(_:)` does.
    @discardableResult
    func send(frame: ByteBuffer) -> String? {
        guard localCloseReason == nil else { return nil }
        if let reason = reserve(frame.readableBytes) { return reason }
        mailbox.yield(frame)
        return nil
    }

    /// Queues `message` on the connection's event loop itself, ahead of what `write(now:)` writes later:
    /// the master's welcome. Heartbeats are written with `write(now:)` and may pass the mailbox, so a
    /// welcome queued there could reach a new member after its first heartbeat, which the member's
    /// handshake refuses. Nothing the mailbox held before is passed: the peer has answered all of it.
    /// Frames sent after this one, through the mailbox, reach the event loop after it.
    @discardableResult
    func sendFirst(_ message: FederationMessage) -> String? {
        guard localCloseReason == nil else { return nil }
        switch encode(message) {
        case .success(let frame):
            // A bound exceeded here closes the link with its reason, as in `send`; the connection's end reports it.
            channel.eventLoop.execute { _ = self.write(now: frame) }
            return nil
        case .failure(let failure):
            return failure.reason
        }
    }

    /// Writes a frame already encoded at once; call it on the connection's event loop. It may pass
    /// frames still in the mailbox, so it is only for frames whose order does not matter: the
    /// master's heartbeats, one frame for every worker, written by one task per event loop rather
    /// than by a task wake-up per worker. Counted against the same bound as `send(_:)`.
    func write(now frame: ByteBuffer) -> String? {
        channel.eventLoop.preconditionInEventLoop()
        guard localCloseReason == nil else { return nil }
        let bytes = frame.readableBytes
        if let reason = reserve(bytes) { return reason }
        channel.writeAndFlush(frame).whenComplete { _ in self.queuedBytes.subtract(bytes, ordering: .relaxed) }
        return nil
    }

    /// Counts `bytes` as waiting to be written, or closes the link when the peer has left too many unread.
    private func reserve(_ bytes: Int) -> String? {
        let queued = queuedBytes.add(bytes, ordering: .relaxed).newValue
        guard queued <= maxQueuedBytes else {
            let reason = "peer reads too slowly: \(queued) bytes queued for it exceed the bound of \(maxQueuedBytes)"
            close(reason: reason)
            // The writer may be stuck on this very peer: drop the connection rather than drain it. On
            // the next turn of its event loop, never from inside this call: the master sends under its
            // lock, and a close run here would hand the peer's last frames to it while it is held.
            let channel = self.channel
            channel.eventLoop.execute { channel.close(promise: nil) }
            return reason
        }
        return nil
    }

    /// Writes anything queued (and `last`), then closes the connection. The first reason wins.
    func close(reason: String, after last: FederationMessage? = nil) {
        if let last { send(last) }
        closeReason.withLock { if $0 == nil { $0 = reason } }
        mailbox.finish()
    }

    /// Bytes waiting to be written.
    var pendingBytes: Int { queuedBytes.load(ordering: .relaxed) }

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
    func run(
        _ connection: FramedChannel, onMessage: @escaping @Sendable (FederationMessage) async -> Void,
        onFailure: @escaping @Sendable (any Error) async -> Void = { _ in }
    ) async -> End {
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
                            for await frame in outgoing {
                                try await outbound.write(frame)
                                self.queuedBytes.subtract(frame.readableBytes, ordering: .relaxed)
                            }
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
