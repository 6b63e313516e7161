import Protocol

/// The master's side of one connection's handshake. Pure: feed it each message received, send
/// what it answers; after `.authenticated` the connection belongs to the fleet.
public struct MasterHandshake: Sendable {
    public enum Step: Sendable, Equatable {
        /// Send this and wait for the next message.
        case reply(FederationMessage)
        /// Send this refusal, log `reason`, close.
        case refuse(Refusal, reason: String)
        /// The peer broke the protocol: log `reason`, close without answering.
        case violation(String)
        /// The worker proved the token; it may join.
        case authenticated(Hello)
    }

    private enum State: Sendable {
        case awaitingHello
        case awaitingProof(Hello, nonce: HexBytes)
        case done
    }

    private let token: FleetToken
    /// This master's channel: its certificate's hash under TLS, `.plaintext` without.
    private let binding: ChannelBinding
    private let makeNonce: @Sendable () -> HexBytes
    private var state = State.awaitingHello

    public init(
        token: FleetToken, binding: ChannelBinding,
        nonce: @escaping @Sendable () -> HexBytes = FleetToken.nonce
    ) {
        self.token = token
        self.binding = binding
        makeNonce = nonce
    }

    /// True once a challenge went out and no proof came back yet.
    public var challenged: Bool {
        if case .awaitingProof = state { true } else { false }
    }

    /// Why a worker speaking `version` cannot join: an older one (loadd 0.8.x speaks 3) is told
    /// what to install; a newer one only which version this master speaks.
    public static func versionRefusal(_ version: UInt16) -> Refusal {
        let refusal = "protocol version \(version) not supported; this master speaks \(FederationProtocol.version)"
        guard version < FederationProtocol.version else { return Refusal(reason: refusal) }
        return Refusal(reason: refusal + ": install loadd \(LoaddVersion.current) on this worker, as on the master")
    }

    public mutating func receive(_ message: FederationMessage) -> Step {
        switch (state, message) {
        case (.awaitingHello, .hello(let hello)):
            guard hello.protocolVersion == FederationProtocol.version else {
                state = .done
                let refusal = Self.versionRefusal(hello.protocolVersion)
                return .refuse(refusal, reason: refusal.reason)
            }
            guard hello.nonce.bytes.count >= 16, !hello.node.rawValue.isEmpty else {
                state = .done
                return .violation("hello without a node name or with a nonce under 16 bytes")
            }
            let nonce = makeNonce()
            state = .awaitingProof(hello, nonce: nonce)
            let proof = token.masterProof(workerNonce: hello.nonce, binding: binding)
            return .reply(.challenge(Challenge(nonce: nonce, masterProof: proof)))
        case (.awaitingProof(let hello, let nonce), .proof(let proof)):
            state = .done
            guard token.verifyWorker(proof.mac, masterNonce: nonce, node: hello.node, binding: binding) else {
                return .refuse(
                    Refusal(reason: "authentication failed"),
                    reason: "authentication failed for worker \(hello.node): wrong token"
                        + (binding == .plaintext ? "" : ", or its TLS connection ends at a relay, not here"))
            }
            return .authenticated(hello)
        case (.awaitingHello, _):
            state = .done
            return .violation("\(message.kind.stringValue) before hello")
        case (.awaitingProof, _):
            state = .done
            return .violation("\(message.kind.stringValue) before authentication (expected proof)")
        case (.done, _):
            return .violation("\(message.kind.stringValue) after the handshake ended")
        }
    }
}

/// The worker's side of the handshake: it sends `hello`, checks the master's proof before giving
/// its own (a master without the token learns nothing), and is welcomed or refused.
public struct WorkerHandshake: Sendable {
    public enum Step: Sendable, Equatable {
        case reply(FederationMessage)
        case welcomed(Welcome)
        /// The master refused; retry later (the reason says what to fix).
        case refused(String)
        case violation(String)
    }

    private enum State: Sendable {
        case awaitingChallenge
        case awaitingWelcome
        case done
    }

    public let hello: Hello
    private let token: FleetToken
    /// The channel as this worker sees it, read when the challenge arrives (the TLS handshake is
    /// over by then): `.plaintext` without TLS, the certificate's hash with it, `nil` when TLS is on
    /// but no certificate was seen.
    private let binding: @Sendable () -> ChannelBinding?
    private var state = State.awaitingChallenge

    public init(token: FleetToken, hello: Hello, binding: @escaping @Sendable () -> ChannelBinding?) {
        self.token = token
        self.hello = hello
        self.binding = binding
    }

    public var opening: FederationMessage { .hello(hello) }

    /// True once the master answered the hello (with a challenge or a refusal).
    public var answered: Bool {
        if case .awaitingChallenge = state { false } else { true }
    }

    public mutating func receive(_ message: FederationMessage) -> Step {
        switch (state, message) {
        case (.awaitingChallenge, .challenge(let challenge)):
            guard let binding = self.binding() else {
                state = .done
                return .violation("the TLS handshake gave no master certificate to bind the token handshake to")
            }
            // During a rollover the answer uses whichever of this worker's tokens the master proved.
            guard let proven = token.verifiedMaster(challenge.masterProof, workerNonce: hello.nonce, binding: binding)
            else {
                state = .done
                if binding == .plaintext {
                    return .violation(
                        "the master could not prove it holds the token: "
                            + "token_file differs between master and worker, or this is not a loadd master")
                }
                return .violation(
                    "the master could not prove it holds the token for this TLS connection "
                        + "(the TLS peer's \(binding)): token_file differs between master and worker, or the "
                        + "connection ends at a relay or proxy that is not the master (channel binding)")
            }
            state = .awaitingWelcome
            let proof = proven.workerProof(masterNonce: challenge.nonce, node: hello.node, binding: binding)
            return .reply(.proof(Proof(mac: proof)))
        case (.awaitingWelcome, .welcome(let welcome)):
            state = .done
            return .welcomed(welcome)
        case (.awaitingChallenge, .refused(let refusal)), (.awaitingWelcome, .refused(let refusal)):
            state = .done
            return .refused(refusal.reason)
        default:
            state = .done
            return .violation("unexpected \(message.kind.stringValue) during the handshake")
        }
    }
}
