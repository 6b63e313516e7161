import Crypto
import Foundation
import Protocol

/// The shared secret of a fleet, read from `token_file:`. It never crosses the wire: each side
/// proves it holds the token by an HMAC over the other side's fresh nonce.
public struct FleetToken: Sendable {
    /// Kept as bytes: this swift-crypto's `SymmetricKey` is not `Sendable`; a key is made per use.
    private let secret: [UInt8]
    private var key: SymmetricKey { SymmetricKey(data: secret) }

    /// Shorter tokens are refused: the HMAC is only as strong as the secret behind it.
    public static let minimumBytes = 16

    public init(_ secret: some Collection<UInt8>) throws(FederationError) {
        guard secret.count >= Self.minimumBytes else {
            throw FederationError("the token is \(secret.count) bytes; use at least \(Self.minimumBytes) "
                                  + "(e.g. `head -c 32 /dev/urandom | base64 > /etc/loadd/token`)")
        }
        self.secret = Array(secret)
    }

    /// Reads the token file; trailing whitespace (the newline an editor adds) is not part of it.
    public static func read(path: String) throws(FederationError) -> FleetToken {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw FederationError("cannot read token_file \(path): \(error.localizedDescription)")
        }
        var bytes = Array(data)
        while let last = bytes.last, last == 0x0A || last == 0x0D || last == 0x20 || last == 0x09 { bytes.removeLast() }
        do {
            return try FleetToken(bytes)
        } catch {
            throw FederationError("token_file \(path): \(error.description)")
        }
    }

    /// A fresh 32-byte nonce from the system's CSPRNG.
    public static func nonce() -> HexBytes {
        var generator = SystemRandomNumberGenerator()
        return HexBytes((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    /// The worker's proof: `HMAC-SHA256(token, masterNonce || nodeID)`. Binding the node id keeps
    /// one worker's proof from admitting another name.
    public func workerProof(masterNonce: HexBytes, node: NodeID) -> HexBytes {
        mac(masterNonce.bytes + Array(node.rawValue.utf8))
    }

    /// The master's proof: `HMAC-SHA256(token, "loadd-master" || workerNonce)`. The label keeps a
    /// worker proof from ever passing as a master proof (and the reverse).
    public func masterProof(workerNonce: HexBytes) -> HexBytes {
        mac(Array("loadd-master".utf8) + workerNonce.bytes)
    }

    /// Constant-time checks, so response timing reveals nothing about the expected MAC.
    public func verifyWorker(_ proof: HexBytes, masterNonce: HexBytes, node: NodeID) -> Bool {
        HMAC<SHA256>.isValidAuthenticationCode(proof.bytes, authenticating: masterNonce.bytes + Array(node.rawValue.utf8),
                                               using: key)
    }

    public func verifyMaster(_ proof: HexBytes, workerNonce: HexBytes) -> Bool {
        HMAC<SHA256>.isValidAuthenticationCode(proof.bytes, authenticating: Array("loadd-master".utf8) + workerNonce.bytes,
                                               using: key)
    }

    private func mac(_ message: [UInt8]) -> HexBytes {
        HexBytes(Array(HMAC<SHA256>.authenticationCode(for: message, using: key)))
    }
}

/// A federation failure with a message an operator can act on (the peer and what to change).
public struct FederationError: Error, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
