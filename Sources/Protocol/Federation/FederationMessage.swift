/// The federation wire protocol's version. A master refuses a worker that speaks another one, with
/// a message saying which it speaks; there is no partial compatibility to get wrong.
public enum FederationProtocol {
    /// 2: `stats`, `worker_state` and `heartbeat` frames are binary. 3: the token handshake's MACs
    /// cover the TLS channel binding (`tls-server-end-point`), so a v2 peer's proofs would not match.
    /// 4: an `assign` carries the worker's part as one `share` object (`FleetShare`), failure reasons
    /// in `stats` frames are typed codes (`FailureReason`) instead of text, the per-second kinds
    /// have no JSON form any more, the master acknowledges stats (`stats_ack`) and a worker ends
    /// each assignment's stats with `stats_end`, so a worker resends what a dropped link swallowed.
    public static let version: UInt16 = 4
    /// The TCP port a master listens on unless `listen:` says otherwise.
    public static let defaultPort = 7557
    /// Largest frame either side accepts; stats of one second from many endpoints fit easily.
    public static let maxFrameBytes = 8 << 20
    /// Largest frame either side accepts before the peer has authenticated: a `hello`, `challenge`,
    /// `proof`, `welcome` or `refused` is a few hundred bytes.
    public static let handshakeFrameBytes = 4096
}

/// Every frame between a worker and its master, one case per kind. On the wire a JSON object with
/// one key naming the case: `{"hello":{…}}`, `{"set_users":{…}}`. The kinds every worker sends every
/// second — `stats`, `worker_state`, `heartbeat` — are sent in a binary form instead (`BinaryFrame`);
/// `stats` and `worker_state` have no JSON form (no peer the version check admits sends one).
///
/// Order on a connection: worker `hello` → master `challenge` (or `refused` and close) → worker
/// `proof` → master `welcome` (or `refused` and close); then anything but the handshake kinds.
public enum FederationMessage: Sendable, Equatable {
    /// Worker → master, first frame.
    case hello(Hello)
    /// Master → worker, answering `hello`.
    case challenge(Challenge)
    /// Worker → master, answering `challenge`.
    case proof(Proof)
    /// Master → worker: authenticated, now a member of the fleet.
    case welcome(Welcome)
    /// Master → worker, followed by closing the connection.
    case refused(Refusal)
    /// Master → worker: run this share of a run.
    case assign(Assignment)
    /// Master → worker: move the current share to another user count (closed model).
    case setUsers(UsersChange)
    /// Master → worker: move the current share to another arrival rate (open model).
    case setRate(RateChange)
    /// Master → worker: run another part of a staged run's load shape.
    case setSlice(SliceChange)
    /// Master → worker: zero the statistics from a second on; users keep running.
    case reset(ResetRequest)
    /// Master → worker: end the share; the worker sends its last stats, then `workerState(idle)`.
    case stop(StopRequest)
    /// Both ways, every third of the heartbeat timeout: proves the peer is alive when nothing else flows.
    case heartbeat
    /// Worker → master, every second while a share runs.
    case stats(StatsReport)
    /// Worker → master: what the worker is doing now (with each stats report and when it changes).
    case workerState(WorkerReport)
    /// Master → worker, in place of a heartbeat: stats up to this frame need not be resent.
    case statsAck(StatsAck)
    /// Worker → master, after an assignment's last `stats` (resent after a rejoin when unacknowledged).
    case statsEnd(StatsEnd)

    /// The kinds, as the JSON keys that carry them.
    public enum Kind: String, CodingKey, CaseIterable, Sendable {
        case hello, challenge, proof, welcome, refused, assign
        case setUsers = "set_users", setRate = "set_rate", setSlice = "set_slice"
        case reset, stop, heartbeat, stats
        case workerState = "worker_state"
        case statsAck = "stats_ack", statsEnd = "stats_end"
    }

    public var kind: Kind {
        switch self {
        case .hello: .hello
        case .challenge: .challenge
        case .proof: .proof
        case .welcome: .welcome
        case .refused: .refused
        case .assign: .assign
        case .setUsers: .setUsers
        case .setRate: .setRate
        case .setSlice: .setSlice
        case .reset: .reset
        case .stop: .stop
        case .heartbeat: .heartbeat
        case .stats: .stats
        case .workerState: .workerState
        case .statsAck: .statsAck
        case .statsEnd: .statsEnd
        }
    }
}

extension FederationMessage: Codable {
    private struct Empty: Codable {}

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Kind.self)
        guard container.allKeys.count == 1, let kind = container.allKeys.first else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription:
                        "expected one key naming the message kind, got \(container.allKeys.map(\.stringValue))"))
        }
        switch kind {
        case .hello: self = .hello(try container.decode(Hello.self, forKey: kind))
        case .challenge: self = .challenge(try container.decode(Challenge.self, forKey: kind))
        case .proof: self = .proof(try container.decode(Proof.self, forKey: kind))
        case .welcome: self = .welcome(try container.decode(Welcome.self, forKey: kind))
        case .refused: self = .refused(try container.decode(Refusal.self, forKey: kind))
        case .assign: self = .assign(try container.decode(Assignment.self, forKey: kind))
        case .setUsers: self = .setUsers(try container.decode(UsersChange.self, forKey: kind))
        case .setRate: self = .setRate(try container.decode(RateChange.self, forKey: kind))
        case .setSlice: self = .setSlice(try container.decode(SliceChange.self, forKey: kind))
        case .reset: self = .reset(try container.decode(ResetRequest.self, forKey: kind))
        case .stop: self = .stop(try container.decode(StopRequest.self, forKey: kind))
        case .heartbeat:
            _ = try container.decode(Empty.self, forKey: kind)
            self = .heartbeat
        case .stats, .workerState:
            throw DecodingError.dataCorruptedError(
                forKey: kind, in: container,
                debugDescription: Self.binaryOnly(kind))
        case .statsAck: self = .statsAck(try container.decode(StatsAck.self, forKey: kind))
        case .statsEnd: self = .statsEnd(try container.decode(StatsEnd.self, forKey: kind))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Kind.self)
        switch self {
        case .hello(let value): try container.encode(value, forKey: .hello)
        case .challenge(let value): try container.encode(value, forKey: .challenge)
        case .proof(let value): try container.encode(value, forKey: .proof)
        case .welcome(let value): try container.encode(value, forKey: .welcome)
        case .refused(let value): try container.encode(value, forKey: .refused)
        case .assign(let value): try container.encode(value, forKey: .assign)
        case .setUsers(let value): try container.encode(value, forKey: .setUsers)
        case .setRate(let value): try container.encode(value, forKey: .setRate)
        case .setSlice(let value): try container.encode(value, forKey: .setSlice)
        case .reset(let value): try container.encode(value, forKey: .reset)
        case .stop(let value): try container.encode(value, forKey: .stop)
        case .heartbeat: try container.encode(Empty(), forKey: .heartbeat)
        case .stats, .workerState:
            throw EncodingError.invalidValue(
                self,
                .init(
                    codingPath: encoder.codingPath,
                    debugDescription: Self.binaryOnly(kind)))
        case .statsAck(let value): try container.encode(value, forKey: .statsAck)
        case .statsEnd(let value): try container.encode(value, forKey: .statsEnd)
        }
    }

    /// Why a per-second kind is refused as JSON: `FrameEncoder` writes it in binary, as every peer
    /// of protocol 2 and later does.
    private static func binaryOnly(_ kind: Kind) -> String {
        "\(kind.stringValue) is sent as a binary frame only (protocol 2 and later); it has no JSON form"
    }
}

/// Just the version out of a `hello` frame, for a master to answer a worker whose newer `hello` it
/// cannot otherwise decode with a clear refusal instead of "undecodable".
public struct HelloVersionProbe: Decodable, Sendable {
    private struct Version: Decodable {
        var protocolVersion: UInt16
        enum CodingKeys: String, CodingKey { case protocolVersion = "protocol_version" }
    }
    private var hello: Version
    public var protocolVersion: UInt16 { hello.protocolVersion }
}
