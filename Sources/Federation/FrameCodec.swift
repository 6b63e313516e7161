import Foundation
import NIOCore
import Protocol
import Synchronization

/// Why a connection's byte stream cannot be read as frames. Each closes that connection only.
public enum FrameError: Error, Equatable, CustomStringConvertible {
    /// The length prefix announces more than the limit: nothing is buffered for it.
    case tooLarge(length: Int, limit: Int)
    /// A TLS record where a frame should be: the peer speaks TLS, this side plain TCP.
    case unexpectedTLS
    /// A frame whose payload is not a federation message. `helloVersion` is the protocol version
    /// when it is a `hello` of another version this build cannot otherwise decode.
    case undecodable(String, helloVersion: UInt16?)
    /// A well-formed frame with a number outside its documented range (see `FieldRanges`).
    case outOfRange(FieldRangeError)

    public var description: String {
        switch self {
        case .tooLarge(let length, let limit): "frame of \(length) bytes exceeds the limit of \(limit)"
        case .outOfRange(let error): "\(error)"
        case .unexpectedTLS:
            "the peer speaks TLS but this side has insecure_plaintext: true; set the same on master and workers "
                + "(TLS is the default)"
        case .undecodable(let detail, _): "undecodable frame: \(detail)"
        }
    }
}

/// The largest frame a connection accepts now: small until the peer has authenticated (a stranger
/// can make this side buffer no more than a handshake's worth), the full limit after. Shared by the
/// connection's decoder (on its event loop) and its owner, which raises it once the peer is trusted.
public final class FrameLimit: Sendable {
    private let bytes: Atomic<Int>
    public let afterAuthentication: Int

    public init(
        beforeAuthentication: Int = FederationProtocol.handshakeFrameBytes,
        afterAuthentication: Int = FederationProtocol.maxFrameBytes
    ) {
        bytes = Atomic(min(beforeAuthentication, afterAuthentication))
        self.afterAuthentication = afterAuthentication
    }

    /// One fixed limit, before and after (tests, tools).
    public convenience init(fixed: Int) {
        self.init(beforeAuthentication: fixed, afterAuthentication: fixed)
    }

    public var current: Int { bytes.load(ordering: .acquiring) }

    /// The peer is authenticated: frames up to the full limit from now on. Call before sending the
    /// message that lets the peer send large frames (`welcome`, or `proof` on a worker).
    public func authenticated() { bytes.store(afterAuthentication, ordering: .releasing) }
}

/// Reads frames — a 4-byte big-endian length, then that many bytes of payload — into messages. A
/// payload is JSON, or one of the per-second kinds in binary (see `BinaryFrame`), told apart by its
/// first byte. Every message is checked against `FieldRanges` before anyone sees it.
public struct FrameDecoder: ByteToMessageDecoder {
    public typealias InboundOut = FederationMessage

    public let limit: FrameLimit
    private let decoder = WireJSON.decoder()

    public init(maxFrameBytes: Int = FederationProtocol.maxFrameBytes) {
        limit = FrameLimit(fixed: maxFrameBytes)
    }

    public init(limit: FrameLimit) {
        self.limit = limit
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard var payload = try Self.payload(from: &buffer, limit: limit) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(try Self.message(from: &payload, using: decoder)))
        return .continue
    }

    /// The next frame's payload, read off `buffer`, or `nil` until all of it is there.
    static func payload(from buffer: inout ByteBuffer, limit: FrameLimit) throws(FrameError) -> ByteBuffer? {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return nil }
        // Checked on the header alone, so a hostile length costs nothing to refuse.
        let maxFrameBytes = limit.current
        guard Int(length) <= maxFrameBytes else {
            // A TLS handshake record starts 0x16 0x03, an alert 0x15 0x03: as a length, far over any limit.
            if length >> 16 == 0x1603 || length >> 16 == 0x1503 { throw FrameError.unexpectedTLS }
            throw FrameError.tooLarge(length: Int(length), limit: maxFrameBytes)
        }
        guard buffer.readableBytes >= 4 + Int(length) else { return nil }
        buffer.moveReaderIndex(forwardBy: 4)
        return buffer.readSlice(length: Int(length))!
    }

    public mutating func decodeLast(
        context: ChannelHandlerContext, buffer: inout ByteBuffer,
        seenEOF: Bool
    ) throws -> DecodingState {
        // A partial frame at EOF is dropped: the peer is gone, there is nobody to tell.
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }

    /// One payload as a message, its numbers within range; a `hello` of another protocol version is
    /// still recognised.
    static func message(
        from buffer: inout ByteBuffer, using decoder: JSONDecoder
    ) throws(FrameError) -> FederationMessage {
        let message = try decoded(from: &buffer, using: decoder)
        do {
            try message.checkRanges()
        } catch {
            throw .outOfRange(error)
        }
        return message
    }

    private static func decoded(
        from buffer: inout ByteBuffer, using decoder: JSONDecoder
    ) throws(FrameError) -> FederationMessage {
        if BinaryFrame.isBinary(buffer) {
            do {
                return try BinaryFrame.read(&buffer)
            } catch {
                throw .undecodable(error.description, helloVersion: nil)
            }
        }
        let payload = Data(buffer.readableBytesView)
        do {
            return try decoder.decode(FederationMessage.self, from: payload)
        } catch {
            let version = try? decoder.decode(HelloVersionProbe.self, from: payload).protocolVersion
            throw .undecodable(Self.describe(error), helloVersion: version)
        }
    }

    private static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        let problem = DecodingProblem(error)
        switch problem.kind {
        case .corrupted: return problem.detail
        case .missingKey: return "missing \(problem.location)"
        case .wrongType, .null: return "\(problem.location): \(problem.detail)"
        }
    }
}

/// Writes messages as frames: the per-second kinds in binary, the rest in JSON. A message over the limit is an
/// error on the sending side rather than a frame the peer would refuse.
public struct FrameEncoder: MessageToByteEncoder {
    public typealias OutboundIn = FederationMessage

    public let maxFrameBytes: Int
    private let encoder = WireJSON.encoder()

    public init(maxFrameBytes: Int = FederationProtocol.maxFrameBytes) {
        self.maxFrameBytes = maxFrameBytes
    }

    public func encode(data: FederationMessage, out: inout ByteBuffer) throws {
        try Self.frame(data, into: &out, maxFrameBytes: maxFrameBytes, encoder: encoder)
    }

    /// A heartbeat's frame, encoded once: a master sends the same bytes to every worker each beat.
    static let heartbeat: ByteBuffer = {
        var bytes = ByteBuffer()
        do {
            try FrameEncoder.frame(.heartbeat, into: &bytes, maxFrameBytes: FederationProtocol.maxFrameBytes)
        } catch {
            preconditionFailure("a heartbeat always encodes: \(error)")
        }
        return bytes
    }()

    /// `message` as one frame appended to `out`; a JSON kind uses `encoder` (default: the shared one).
    static func frame(
        _ data: FederationMessage, into out: inout ByteBuffer, maxFrameBytes: Int,
        encoder: JSONEncoder = WireJSON.sharedEncoder
    ) throws {
        let lengthAt = out.writerIndex
        out.writeInteger(UInt32(0))
        if BinaryFrame.write(data, into: &out) {
            let length = out.writerIndex - lengthAt - 4
            guard length <= maxFrameBytes else {
                out.moveWriterIndex(to: lengthAt)
                throw FrameError.tooLarge(length: length, limit: maxFrameBytes)
            }
            out.setInteger(UInt32(length), at: lengthAt)
            return
        }
        out.moveWriterIndex(to: lengthAt)
        let payload = try encoder.encode(data)
        guard payload.count <= maxFrameBytes else {
            throw FrameError.tooLarge(length: payload.count, limit: maxFrameBytes)
        }
        out.writeInteger(UInt32(payload.count))
        out.writeBytes(payload)
    }
}

extension Channel {
    /// Frames in, as a federation connection reads them; call on the channel's event loop. Frames
    /// out are encoded by the `Link`, which counts their bytes against its bound.
    func addFederationDecoder(limit: FrameLimit) throws {
        try pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder(limit: limit)))
    }
}
