import Crypto
import Foundation
import Protocol

/// The shared secret of a fleet, read from `token_file:`. It never crosses the wire: each side
/// proves it holds the token by an HMAC over the other side's fresh nonce.
///
/// For a rollover a token file may hold two tokens, one per line: the current one, then the one it
/// replaces. A master proves itself with the current token and accepts a worker's proof made with
/// either; a worker accepts a master proven by either and answers with the token that matched. So the
/// fleet keeps working when the workers get `new⏎old` first, then the master, then everyone drops `old`.
public struct FleetToken: Sendable {
    /// Kept as bytes: this swift-crypto's `SymmetricKey` is not `Sendable`; a key is made per use.
    /// The current token first; at most one previous token after it.
    private let secrets: [[UInt8]]
    private var key: SymmetricKey { SymmetricKey(data: secrets[0]) }

    /// Shorter tokens are refused: the HMAC is only as strong as the secret behind it.
    public static let minimumBytes = 16

    public init(_ secret: some Collection<UInt8>) throws(FederationError) {
        try self.init(current: secret, previous: nil as [UInt8]?)
    }

    /// A token in rollover: `current` proves this side, `previous` is still accepted from peers.
    public init(current: some Collection<UInt8>, previous: (some Collection<UInt8>)?) throws(FederationError) {
        for secret in [Array(current)] + (previous.map { [Array($0)] } ?? []) where secret.count < Self.minimumBytes {
            throw FederationError(
                "the token is \(secret.count) bytes; use at least \(Self.minimumBytes) "
                    + "(e.g. `head -c 32 /dev/urandom | base64 -w0 > /etc/loadd/token`)")
        }
        secrets = [Array(current)] + (previous.map { [Array($0)] } ?? [])
    }

    /// True while the file holds a previous token too (a rollover is under way).
    public var isRollingOver: Bool { secrets.count > 1 }

    /// Reads the token file: one token, or two lines (current, then previous) during a rollover.
    /// Surrounding whitespace (the newline an editor adds) is not part of a token. The file must be
    /// readable by nobody but its owner and loadd's group (`SecretFile`).
    public static func read(path: String) throws(FederationError) -> FleetToken {
        let bytes = try SecretFile.read(path, key: "token_file")
        let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map(trimmed).filter { !$0.isEmpty }
        guard !lines.isEmpty else { throw FederationError("token_file \(path) is empty") }
        guard lines.count <= 2 else {
            throw FederationError(
                "token_file \(path) has \(lines.count) lines; it holds one token, or two during a "
                    + "rollover (the new one first, then the old one)")
        }
        do {
            return try FleetToken(current: lines[0], previous: lines.count == 2 ? lines[1] : nil)
        } catch {
            let which = lines.contains { $0.count < minimumBytes } && lines.count == 2 ? " (one token per line)" : ""
            throw FederationError("token_file \(path): \(error.description)\(which)")
        }
    }

    private static func trimmed(_ line: ArraySlice<UInt8>) -> [UInt8] {
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x0D || byte == 0x20 || byte == 0x09 }
        var slice = line
        while let first = slice.first, isSpace(first) { slice.removeFirst() }
        while let last = slice.last, isSpace(last) { slice.removeLast() }
        return Array(slice)
    }

    /// A fresh 32-byte nonce from the system's CSPRNG.
    public static func nonce() -> HexBytes {
        var generator = SystemRandomNumberGenerator()
        return HexBytes((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    /// The worker's proof: `HMAC-SHA256(token, masterNonce || nodeID || binding || len(binding))`.
    /// Binding the node id keeps one worker's proof from admitting another name; binding the TLS
    /// channel (`ChannelBinding`) keeps a relay from passing it on over a TLS connection of its own.
    public func workerProof(masterNonce: HexBytes, node: NodeID, binding: ChannelBinding = .plaintext) -> HexBytes {
        mac(binding.appended(to: masterNonce.bytes + Array(node.rawValue.utf8)))
    }

    /// The master's proof: `HMAC-SHA256(token, "loadd-master" || workerNonce || binding || len(binding))`.
    /// The label keeps a worker proof from ever passing as a master proof (and the reverse); the
    /// binding tells a worker that the TLS peer it sees is the master, not a relay.
    public func masterProof(workerNonce: HexBytes, binding: ChannelBinding = .plaintext) -> HexBytes {
        mac(binding.appended(to: Array("loadd-master".utf8) + workerNonce.bytes))
    }

    /// Constant-time checks, so response timing reveals nothing about the expected MAC. During a
    /// rollover a proof made with either token is accepted.
    public func verifyWorker(
        _ proof: HexBytes, masterNonce: HexBytes, node: NodeID,
        binding: ChannelBinding = .plaintext
    ) -> Bool {
        let message = binding.appended(to: masterNonce.bytes + Array(node.rawValue.utf8))
        return secrets.contains { secret in
            HMAC<SHA256>.isValidAuthenticationCode(
                proof.bytes, authenticating: message, using: SymmetricKey(data: secret))
        }
    }

    public func verifyMaster(_ proof: HexBytes, workerNonce: HexBytes, binding: ChannelBinding = .plaintext) -> Bool {
        verifiedMaster(proof, workerNonce: workerNonce, binding: binding) != nil
    }

    /// The token (of this file's one or two) that the master proved it holds, to answer with; `nil`
    /// when the master proved neither.
    public func verifiedMaster(
        _ proof: HexBytes, workerNonce: HexBytes,
        binding: ChannelBinding = .plaintext
    ) -> FleetToken? {
        let message = binding.appended(to: Array("loadd-master".utf8) + workerNonce.bytes)
        guard
            let secret = secrets.first(where: {
                HMAC<SHA256>.isValidAuthenticationCode(
                    proof.bytes, authenticating: message, using: SymmetricKey(data: $0))
            })
        else { return nil }
        return try? FleetToken(secret)
    }

    private func mac(_ message: [UInt8]) -> HexBytes {
        HexBytes(Array(HMAC<SHA256>.authenticationCode(for: message, using: key)))
    }
}

/// A federation failure with a message an operator can act on (the peer and what to change). The
/// fleet's own refusals keep their type (`cause`) up to the control API, which renders them once.
public struct FederationError: Error, Equatable, CustomStringConvertible {
    public enum Cause: Equatable, Sendable {
        /// A file, a key or a peer is wrong: the text says which and what to change.
        case message(String)
        /// The fleet cannot hold the load asked of it (no workers, every weight 0, too few users).
        case split(SplitError)
    }

    public let cause: Cause

    public init(_ description: String) { cause = .message(description) }
    public init(_ split: SplitError) { cause = .split(split) }

    public var description: String {
        switch cause {
        case .message(let text): text
        case .split(let split): split.description
        }
    }
}
