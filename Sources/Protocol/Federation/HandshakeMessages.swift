/// Opaque bytes (nonces, MACs) carried as lower-case hex, so frames stay readable JSON.
public struct HexBytes: Codable, Sendable, Hashable, CustomStringConvertible {
    public var bytes: [UInt8]

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let bytes = Self.parse(text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "expected an even number of hex digits")
        }
        self.bytes = bytes
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    public var description: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func parse(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }
}

/// A worker introduces itself: who it is and how much load it can carry.
public struct Hello: Codable, Sendable, Equatable {
    public var protocolVersion: UInt16
    public var node: NodeID
    /// loadd's version on the worker, for `loadctl workers`.
    public var loaddVersion: String
    /// CPU cores; the master splits users in proportion to `cores × weight`.
    public var cores: Int
    /// Engine threads the worker runs a share with: each sends one interval per second.
    public var threads: Int
    /// Most users the worker can hold (its open-files limit allows).
    public var maxUsers: Int
    /// Relative capacity per core (1 by default; 0.5 for a slower machine).
    public var weight: Double
    /// The worker's challenge to the master, which proves it knows the token too.
    public var nonce: HexBytes

    public init(
        protocolVersion: UInt16 = FederationProtocol.version, node: NodeID, loaddVersion: String, cores: Int,
        threads: Int, maxUsers: Int, weight: Double, nonce: HexBytes
    ) {
        self.protocolVersion = protocolVersion
        self.node = node
        self.loaddVersion = loaddVersion
        self.cores = cores
        self.threads = threads
        self.maxUsers = maxUsers
        self.weight = weight
        self.nonce = nonce
    }

    enum CodingKeys: String, CodingKey {
        case protocolVersion = "protocol_version", node, loaddVersion = "loadd_version", cores, threads
        case maxUsers = "max_users", weight, nonce
    }
}

/// The master's answer to `hello`: its own nonce for the worker to prove the token over, and its
/// proof over the worker's nonce, so a worker never obeys a master that lacks the token.
public struct Challenge: Codable, Sendable, Equatable {
    public var nonce: HexBytes
    public var masterProof: HexBytes

    public init(nonce: HexBytes, masterProof: HexBytes) {
        self.nonce = nonce
        self.masterProof = masterProof
    }

    enum CodingKeys: String, CodingKey { case nonce, masterProof = "master_proof" }
}

/// `HMAC-SHA256(token, master nonce || node id)`.
public struct Proof: Codable, Sendable, Equatable {
    public var mac: HexBytes
    public init(mac: HexBytes) { self.mac = mac }
}

/// The worker is a member of the fleet from now on.
public struct Welcome: Codable, Sendable, Equatable {
    public var master: NodeID
    /// Silence longer than this from either side means the peer is lost.
    public var heartbeatTimeoutMs: Int

    public init(master: NodeID, heartbeatTimeout: Duration) {
        self.master = master
        let (seconds, attoseconds) = heartbeatTimeout.components
        heartbeatTimeoutMs = Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }

    public var heartbeatTimeout: Duration { .milliseconds(heartbeatTimeoutMs) }

    enum CodingKeys: String, CodingKey { case master, heartbeatTimeoutMs = "heartbeat_timeout_ms" }
}

/// Why the master will not take this worker; the connection closes after it.
public struct Refusal: Codable, Sendable, Equatable {
    public var reason: String
    public init(reason: String) { self.reason = reason }
}
