import Engine
import Logging
import NIOCore
import NIOPosix
import Protocol

/// How a worker finds its master and what it offers.
public struct WorkerConfiguration: Sendable {
    public var node: NodeID
    /// `master:` as host and port.
    public var masterHost: String
    public var masterPort: Int
    public var token: FleetToken
    public var version: String
    /// Engine threads a share runs with; `cores` and `weight` decide the share's size.
    public var threads: Int
    public var cores: Int
    public var weight: Double
    public var maxUsers: Int
    /// The dead-man's switch until the master's `welcome` says its own timeout.
    public var heartbeatTimeout: Duration
    /// Spoken in `hello`; only tests set another to see a master refuse it.
    public var protocolVersion: UInt16
    public var maxFrameBytes: Int
    /// Speak TLS, the token handshake bound to the master's certificate (and, with a pin, accept only
    /// that certificate: `tls_fingerprint:`); `nil`: plain TCP (`insecure_plaintext: true`).
    public var tls: WorkerTLS?

    public init(
        node: NodeID, masterHost: String, masterPort: Int, token: FleetToken, version: String, threads: Int,
        cores: Int, weight: Double = 1, maxUsers: Int,
        heartbeatTimeout: Duration = FleetMembership.defaultHeartbeatTimeout,
        protocolVersion: UInt16 = FederationProtocol.version,
        maxFrameBytes: Int = FederationProtocol.maxFrameBytes, tls: WorkerTLS? = nil
    ) {
        self.node = node
        self.masterHost = masterHost
        self.masterPort = masterPort
        self.token = token
        self.version = version
        self.threads = threads
        self.cores = cores
        self.weight = weight
        self.maxUsers = maxUsers
        self.heartbeatTimeout = heartbeatTimeout
        self.protocolVersion = protocolVersion
        self.maxFrameBytes = maxFrameBytes
        self.tls = tls
    }
}

/// What a worker tells its daemon, which keeps the share in its own run store.
public enum WorkerEvent: Sendable {
    case connected(master: NodeID, address: String)
    case disconnected(reason: String)
    /// The master refused this worker (wrong token, other protocol version, duplicate name).
    case refused(reason: String)
    /// A share started: `engine` runs it (the daemon reads its snapshots, never drives it).
    case shareStarted(run: RunID, scenario: String, plan: Plan, engine: Engine)
    case shareUsersChanged(run: RunID, users: Int)
    /// A share ended, stopped by the master, by itself, or because the master was lost.
    case shareEnded(run: RunID, summary: RunSummary)
}

/// A fleet worker: keeps one connection to its master (reconnecting with backoff 0.5 s … 10 s),
/// runs the share it is assigned on a local `Engine`, streams its interval deltas every second,
/// and stops the load when the master goes quiet for the heartbeat timeout (dead-man's switch).
public actor FederationWorker {
    /// A share of a run being generated here.
    struct Share {
        var assignment: Assignment
        let engine: Engine
        var sequence: UInt64 = 0
        var stopping = false
    }

    /// The connection to the master, once welcomed.
    struct Session {
        let link: Link
        var master: NodeID?
        var handshake: WorkerHandshake
        var deadMan: DeadMansSwitch
        var lastHeartbeat: Duration = .zero
        var lastReport: Duration = .zero
    }

    let configuration: WorkerConfiguration
    let group: any EventLoopGroup
    let logger: Logger
    let origin = ContinuousClock.now
    var session: Session?
    var share: Share?
    var backoff = Backoff()
    /// Stats frames the master has not acknowledged yet (see `FederationWorker+Resend`).
    var unacknowledged: UnacknowledgedSeconds
    /// `start()`'s task, for callers with no task of their own to run `run()` in.
    private var loop: Task<Void, Never>?
    /// Set by `shutdown()`: no more dialling, and `run()` returns.
    private var stopped = false
    /// Each share's engine, handed to `run()`, which watches for it to end by itself.
    private let shareWatches: AsyncStream<ShareWatch>
    private let shareWatchSink: AsyncStream<ShareWatch>.Continuation
    private let eventSink: AsyncStream<WorkerEvent>.Continuation
    /// Events for the daemon, in order; buffered so a slow reader never blocks the worker.
    public nonisolated let events: AsyncStream<WorkerEvent>

    static let tickInterval: Duration = .milliseconds(100)
    static let handshakeTimeout: Duration = .seconds(10)
    static let reportInterval: Duration = .seconds(1)

    public init(configuration: WorkerConfiguration, group: any EventLoopGroup, logger: Logger) {
        self.configuration = configuration
        self.group = group
        var logger = logger
        logger[metadataKey: "loadd_role"] = "worker"
        logger[metadataKey: "loadd_node"] = "\(configuration.node)"
        logger[metadataKey: "loadd_peer"] = "\(configuration.masterHost):\(configuration.masterPort)"
        self.logger = logger
        unacknowledged = UnacknowledgedSeconds(bounds: .init(heartbeatTimeout: configuration.heartbeatTimeout))
        (events, eventSink) = AsyncStream.makeStream(of: WorkerEvent.self, bufferingPolicy: .bufferingNewest(1024))
        (shareWatches, shareWatchSink) = AsyncStream.makeStream(of: ShareWatch.self)
    }

    /// A share's engine and its assignment number, watched by `run()` until the engine ends.
    struct ShareWatch: Sendable {
        let engine: Engine
        let assignment: UInt64
    }

    var now: Duration { origin.duration(to: .now) }

    func emit(_ event: WorkerEvent) { eventSink.yield(event) }

    /// Starts dialling the master on a task of the worker's own, until `shutdown()` (which awaits
    /// it): for callers with no task to run `run()` in (tests). Returns at once.
    public func start() {
        guard loop == nil else { return }
        loop = Task { await self.run() }
    }

    /// Dials the master and keeps the connection (reconnecting with backoff) on the caller's task,
    /// with every share's end watched by a child of it, until `shutdown()` or cancellation. The
    /// daemon's fleet service runs this.
    public func run() async {
        guard !stopped else { return }
        await withDiscardingTaskGroup { group in
            group.addTask { await self.connectLoop() }
            // Ends when `shutdown()` finishes the stream, or on cancellation.
            for await watch in shareWatches {
                group.addTask {
                    _ = await watch.engine.finished()
                    await self.shareFinishedByItself(watch.assignment)
                }
            }
            group.cancelAll()
        }
    }

    /// Stops any share and the connection, and stops reconnecting: `run()` returns.
    public func shutdown() async {
        stopped = true
        shareWatchSink.finish()
        loop?.cancel()
        // The share's last stats first, then the close (a link writes what is queued before it
        // closes): a worker restarted cleanly loses nothing it measured.
        if let share { await endShare(share, failure: nil, report: true) }
        session?.link.close(reason: "worker shutting down")
        await loop?.value
        loop = nil
        eventSink.finish()
    }

    /// Has `run()` watch a share's engine, to end the share when the engine ends by itself.
    func watch(_ engine: Engine, assignment: UInt64) {
        shareWatchSink.yield(ShareWatch(engine: engine, assignment: assignment))
    }

    /// Whether a master has welcomed this worker, and which.
    public func connectedMaster() -> NodeID? { session?.master }

    /// The run this worker generates load for now, if any.
    public func currentRun() -> RunID? { share?.assignment.run }

    // MARK: Connecting

    private func connectLoop() async {
        var lastFailure: String?
        while !Task.isCancelled && !stopped {
            let outcome = await connectOnce()
            if Task.isCancelled || stopped { break }
            let delay = backoff.delay()
            // The same failure every few seconds would flood the journal: log changes, debug repeats.
            let level: Logger.Level = outcome == lastFailure ? .debug : .warning
            logger.log(
                level: level, "master unreachable or lost; retrying",
                metadata: [
                    "reason": "\(outcome)", "retry_in": "\(delay)",
                ])
            lastFailure = outcome
            try? await Task.sleep(for: delay)
        }
    }

    /// One connection's life; returns why it ended.
    private func connectOnce() async -> String {
        let limit = FrameLimit(afterAuthentication: configuration.maxFrameBytes)
        let connection: FramedChannel
        let tls = configuration.tls
        let pinCheck = PinCheck()
        do {
            connection = try await ClientBootstrap(group: group)
                .connectTimeout(.seconds(5))
                .channelOption(.tcpOption(.tcp_nodelay), value: 1)
                .connect(host: configuration.masterHost, port: configuration.masterPort) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let tls {
                            try channel.pipeline.syncOperations.addHandler(tls.handler(reportingTo: pinCheck))
                        }
                        try channel.addFederationDecoder(limit: limit)
                        return try FramedChannel(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            return "cannot connect to \(configuration.masterHost):\(configuration.masterPort): \(error)"
        }
        let link = Link(channel: connection.channel, frameLimit: limit)
        let binding: @Sendable () -> ChannelBinding?
        if tls == nil { binding = { .plaintext } } else { binding = { pinCheck.binding } }
        opened(link, binding: binding)
        var end = await withDiscardingTaskGroup(returning: Link.End.self) { group in
            group.addTask { await self.tickLoop(link) }
            let end = await link.run(connection) { message in await self.received(message, on: link) }
            group.cancelAll()
            return end
        }
        if let tls, let refusal = pinCheck.refusal(pin: tls.pin) {
            // An error, not a warning: like a refusal, it lasts until someone fixes a config.
            logger.error("not joining this master: \(refusal)")
            emit(.refused(reason: refusal))
            end = .closed(refusal)
        } else if tls != nil, !pinCheck.reachedCertificate, link.localCloseReason == nil {
            end = .closed(
                "no TLS handshake with the master (\(Self.describe(end))): if the master has "
                    + "insecure_plaintext: true, set it here too (both sides speak TLS by default)")
        } else if tls == nil, link.localCloseReason == nil, session?.link === link,
            session?.handshake.answered == false, case .peerClosed = end
        {
            // A TLS master drops a plain hello, often without a word a plain-TCP side could read.
            end = .closed(
                "the master closed the connection without answering the hello: if it speaks TLS "
                    + "(the default), remove insecure_plaintext: from this worker")
        }
        return await closed(link, end)
    }

    private static func describe(_ end: Link.End) -> String {
        switch end {
        case .closed(let why): why
        case .peerClosed: "the master closed the connection"
        case .failed(let error): "\(error)"
        }
    }

    private func opened(_ link: Link, binding: @escaping @Sendable () -> ChannelBinding?) {
        let hello = Hello(
            protocolVersion: configuration.protocolVersion, node: configuration.node,
            loaddVersion: configuration.version, cores: configuration.cores,
            threads: configuration.threads, maxUsers: configuration.maxUsers,
            weight: configuration.weight, nonce: FleetToken.nonce())
        let handshake = WorkerHandshake(token: configuration.token, hello: hello, binding: binding)
        // Until the welcome no load runs, so the switch only bounds the handshake: generously, as
        // a busy machine may take a while to answer.
        session = Session(
            link: link, handshake: handshake,
            deadMan: DeadMansSwitch(
                timeout: max(configuration.heartbeatTimeout, Self.handshakeTimeout),
                armedAt: now))
        link.send(handshake.opening)
    }

    private func closed(_ link: Link, _ end: Link.End) async -> String {
        guard session?.link === link else { return "superseded connection" }
        let wasWelcomed = session?.master != nil
        session = nil
        let reason = Self.describe(end)
        // Orphaned load must stop now: nobody merges its stats and nobody could stop it.
        if let share { await endShare(share, failure: "lost the master: \(reason)", report: false) }
        if wasWelcomed {
            logger.warning("lost the master", metadata: ["reason": "\(reason)"])
            emit(.disconnected(reason: reason))
        }
        return reason
    }
}
