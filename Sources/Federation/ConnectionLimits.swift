import Protocol

/// What a master lets connections cost before and after they prove the token. A stranger can make
/// the master hold at most `maxHandshaking` connections of one small frame each, for at most
/// `handshakeTimeout`; a member at most one full frame in and `maxQueuedBytes` out.
public struct ConnectionLimits: Sendable, Equatable {
    /// Largest frame before authentication (a handshake message is a few hundred bytes).
    public var handshakeFrameBytes: Int
    /// Connections still in their handshake, from anywhere and from one address (IP). Members do
    /// not count: a fleet behind one NAT address is fine, it just joins eight at a time.
    public var maxHandshaking: Int
    public var maxHandshakingPerAddress: Int
    /// A connection that has not authenticated within this is closed; `nil`: 10 s, or the
    /// heartbeat timeout when that is longer.
    public var handshakeTimeout: Duration?
    /// Encoded bytes queued for one peer that it has not read yet; past it the link is closed.
    public var maxQueuedBytes: Int
    /// How long a worker may deliver (almost) none of its share before it is treated as lost.
    public var deliveryGrace: Duration

    public static let defaultHandshakeTimeout: Duration = .seconds(10)

    public init(
        handshakeFrameBytes: Int = FederationProtocol.handshakeFrameBytes, maxHandshaking: Int = 64,
        maxHandshakingPerAddress: Int = 8, handshakeTimeout: Duration? = nil,
        maxQueuedBytes: Int = 2 * FederationProtocol.maxFrameBytes,
        deliveryGrace: Duration = FleetRun.defaultDeliveryGrace
    ) {
        self.handshakeFrameBytes = handshakeFrameBytes
        self.maxHandshaking = maxHandshaking
        self.maxHandshakingPerAddress = maxHandshakingPerAddress
        self.handshakeTimeout = handshakeTimeout
        self.maxQueuedBytes = maxQueuedBytes
        self.deliveryGrace = deliveryGrace
    }

    /// The deadline in force for a master whose heartbeat timeout is `heartbeatTimeout`.
    public func handshakeDeadline(heartbeatTimeout: Duration) -> Duration {
        handshakeTimeout ?? max(Self.defaultHandshakeTimeout, heartbeatTimeout)
    }
}
