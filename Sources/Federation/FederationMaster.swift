import Engine
import Foundation
import Logging
import NIOCore
import NIOPosix
import Protocol
import Synchronization

/// How a master listens and judges its workers.
public struct MasterConfiguration: Sendable {
    public var node: NodeID
    /// Address to listen on (`listen:`), e.g. `0.0.0.0` and 7557; port 0 picks a free one.
    public var host: String
    public var port: Int
    public var token: FleetToken
    /// Silence that loses a worker (`heartbeat_timeout:`); heartbeats go out every third of it.
    public var heartbeatTimeout: Duration
    /// loadd's version, for logs.
    public var version: String
    public var maxFrameBytes: Int
    /// Serve TLS (`tls_cert:`, `tls_key:`); `nil` speaks plain TCP.
    public var tls: MasterTLS?
    /// Caps on unauthenticated connections, the handshake deadline, outbound buffering.
    public var limits: ConnectionLimits

    public init(
        node: NodeID, host: String, port: Int, token: FleetToken,
        heartbeatTimeout: Duration = FleetMembership.defaultHeartbeatTimeout, version: String,
        maxFrameBytes: Int = FederationProtocol.maxFrameBytes, tls: MasterTLS? = nil,
        limits: ConnectionLimits = ConnectionLimits()
    ) {
        self.node = node
        self.host = host
        self.port = port
        self.token = token
        self.heartbeatTimeout = heartbeatTimeout
        self.version = version
        self.maxFrameBytes = maxFrameBytes
        self.tls = tls
        self.limits = limits
    }
}

/// An accepted connection and its link, already known to the master (see `MasterInbound`).
struct AcceptedConnection: Sendable {
    let connection: FramedChannel
    let link: Link
}

/// The master of a fleet: accepts workers on a TCP port (one connection each, authenticated by
/// the shared token), splits each run's load over them by capacity, re-splits when one joins or
/// is lost, and merges their stats exactly. One run at a time.
///
/// Like `Engine`, its state sits behind one lock and its control methods are synchronous, so the
/// daemon drives a fleet run exactly as it drives a local engine. Connections and the ticker feed
/// the same state; `FleetRun` and `FleetMembership` hold the logic, `MasterCore` the bookkeeping.
public final class FederationMaster: Sendable {
    let configuration: MasterConfiguration
    let group: any EventLoopGroup
    let logger: Logger
    private let core: Mutex<MasterCore>
    /// `start()`'s serving task, for callers with no task of their own to run `run()` in.
    private let serving = Mutex<Task<Void, Never>?>(nil)
    private let listener = Mutex<NIOAsyncChannel<AcceptedConnection, Never>?>(nil)

    /// How often the ticker looks at liveness, the run's duration and late seconds.
    static let tickInterval: Duration = .milliseconds(250)

    public init(configuration: MasterConfiguration, group: any EventLoopGroup, logger: Logger) {
        self.configuration = configuration
        self.group = group
        var logger = logger
        logger[metadataKey: "loadd_role"] = "master"
        logger[metadataKey: "loadd_node"] = "\(configuration.node)"
        self.logger = logger
        core = Mutex(MasterCore(configuration: configuration, logger: logger))
    }

    /// Runs `body` on the state, then resumes whoever waited for a run that has now finished
    /// (outside the lock: a resumed task may call straight back in).
    func withCore<T>(_ body: (inout MasterCore) throws(FederationError) -> T) throws(FederationError) -> T {
        let (result, ready): (Result<T, FederationError>, [MasterCore.Resumption]) = core.withLock { core in
            let result: Result<T, FederationError>
            do throws(FederationError) { result = .success(try body(&core)) } catch { result = .failure(error) }
            return (result, core.takeResumptions())
        }
        for resumption in ready { resumption.continuation.resume(returning: resumption.summary) }
        return try result.get()
    }

    func withCore<T>(_ body: (inout MasterCore) -> T) -> T {
        let (result, ready) = core.withLock { core in (body(&core), core.takeResumptions()) }
        for resumption in ready { resumption.continuation.resume(returning: resumption.summary) }
        return result
    }

    /// Binds the port and serves it on a task of the master's own, until `shutdown()` (which
    /// awaits it): for callers with no task to run `run()` in (tests, the fleet bench). Returns the
    /// port bound (useful with port 0). - Throws: the bind error, e.g. the port in use.
    @discardableResult
    public func start() async throws -> Int {
        let port = try await bind()
        serving.withLock { $0 = Task { await self.run() } }
        return port
    }

    /// Accepts workers and ticks (heartbeats, liveness, the run's end) on the caller's task, both
    /// as its children, until `shutdown()` closes the listener or the task is cancelled. Call
    /// `bind()` first; the daemon's fleet service runs this.
    public func run() async {
        guard let bound = listener.withLock({ $0 }) else { return }
        await withDiscardingTaskGroup { group in
            group.addTask { await self.tickLoop() }
            // Returns once the listener is closed and its connections have ended.
            await self.accept(bound)
            group.cancelAll()
        }
    }

    /// Binds the port; workers are accepted once `run()` runs. Returns the port bound (useful with
    /// port 0). - Throws: the bind error, e.g. the port in use.
    @discardableResult
    public func bind() async throws -> Int {
        let maxFrame = configuration.maxFrameBytes
        let handshakeFrame = configuration.limits.handshakeFrameBytes
        let tls = configuration.tls
        let maxQueuedBytes = configuration.limits.maxQueuedBytes
        let token = configuration.token
        let bound = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            // A worker's stats frame (5–20 KiB) in one read: NIO's default first read of 2 KiB took
            // two or three reads and a copy into the decoder's buffer per frame. Not larger: each
            // connection may keep a buffer of this size (32 KiB cost 1,000 workers 30 MiB of RSS).
            .childChannelOption(
                .recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 1024, initial: 8192, maximum: 262_144)
            )
            .bind(host: configuration.host, port: configuration.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(tls.handler()) }
                    let limit = FrameLimit(beforeAuthentication: handshakeFrame, afterAuthentication: maxFrame)
                    let decoder = ByteToMessageHandler(MasterFrameDecoder(limit: limit))
                    try channel.pipeline.syncOperations.addHandler(decoder)
                    let link = Link(channel: channel, frameLimit: limit, maxQueuedBytes: maxQueuedBytes)
                    try channel.pipeline.syncOperations.addHandler(MasterInbound(master: self, link: link))
                    // Closed on deinit, not trapped on: a worker redialling while the master shuts down
                    // is dropped by the finished accept stream (see `ControlServer.start`).
                    let connection = try FramedChannel(synchronouslyWrapping: channel)
                    // Known (or refused at a cap) before its first frame is read.
                    self.withCore { $0.opened(link, token: token) }
                    return AcceptedConnection(connection: connection, link: link)
                }
            }
        listener.withLock { $0 = bound }
        let port = bound.channel.localAddress?.port ?? configuration.port
        logger.info(
            "federation master listening",
            metadata: [
                "listen": "\(configuration.host):\(port)", "heartbeat_timeout": "\(configuration.heartbeatTimeout)",
                "protocol_version": "\(FederationProtocol.version)",
                "max_handshaking": "\(configuration.limits.maxHandshaking)",
                "max_handshaking_per_address": "\(configuration.limits.maxHandshakingPerAddress)",
                "handshake_timeout":
                    "\(configuration.limits.handshakeDeadline(heartbeatTimeout: configuration.heartbeatTimeout))",
                "tls_fingerprint": "\(configuration.tls.map { "\($0.fingerprint)" } ?? "none (plain TCP)")",
            ])
        return port
    }

    /// Stops the run (workers get `stop`), closes every connection and the listening socket, which
    /// ends `run()`.
    public func shutdown() async {
        withCore { core in core.shutdown() }
        try? await listener.withLock { $0 }?.channel.close()
        let task = serving.withLock { task in
            defer { task = nil }
            return task
        }
        task?.cancel()
        await task?.value
    }

    // MARK: Control API

    /// The connected workers, in name order.
    public func workers() -> [WorkerInfo] { withCore { $0.workers() } }

    /// Checks that a run of `plan` could start now (a worker is connected, none is going), before
    /// the caller commits to it. - Throws: `FederationError` saying why not.
    public func checkReady(for plan: Plan) throws(FederationError) {
        try withCore { (core: inout MasterCore) throws(FederationError) in try core.checkReady(for: plan) }
    }

    /// Starts a run over the connected workers. - Throws: `FederationError` when a run is going,
    /// no worker is connected, or the fleet cannot hold the users.
    public func startRun(_ request: FleetRun.Request) throws(FederationError) {
        try withCore { (core: inout MasterCore) throws(FederationError) in try core.startRun(request) }
    }

    /// Moves the fleet to `users` in total (closed model), re-split over the workers.
    public func setUsers(_ users: Int, spawnRate: Double?) throws(FederationError) {
        try withCore { (core: inout MasterCore) throws(FederationError) in
            try core.setUsers(users, spawnRate: spawnRate)
        }
    }

    /// Moves the fleet to `rate` iterations per second in total (open model).
    public func setRate(_ rate: Double) throws(FederationError) {
        try withCore { (core: inout MasterCore) throws(FederationError) in try core.setRate(rate) }
    }

    /// Zeroes the merged statistics and every worker's own, from the next second on.
    public func reset() throws(FederationError) {
        try withCore { (core: inout MasterCore) throws(FederationError) in try core.reset() }
    }

    /// Stops the run on every worker; `failure` fails it with that reason. It finishes when their
    /// last stats are in (or the grace ends). - Throws: when no run is going.
    public func stop(failure: String? = nil) throws(FederationError) {
        try withCore { (core: inout MasterCore) throws(FederationError) in try core.stop(failure: failure) }
    }

    /// The current (or last) run's merged summary, `nil` before the first run.
    public func snapshot() -> RunSummary? { withCore { $0.snapshot() } }

    /// `snapshot()` and the merged per-endpoint latency buckets, under one lock.
    public func snapshotWithBuckets() -> (summary: RunSummary, buckets: [EndpointBuckets])? {
        withCore { core in
            core.run.map { (summary: $0.summary(now: core.now), buckets: $0.ledger.measured.endpointBuckets()) }
        }
    }

    /// The current (or last) run's id, phase and total users asked for.
    public func runState() -> (id: RunID, phase: FleetRun.Phase, users: Int)? {
        withCore { core in core.run.map { ($0.id, $0.phase, $0.users) } }
    }

    /// What happened to the current (or last) run: joins, losses, re-splits.
    public func events() -> [FleetEvent] { withCore { $0.run?.events ?? [] } }

    /// Waits until run `id` has finished and returns its final merged summary.
    public func finished(_ id: RunID) async -> RunSummary {
        await withCheckedContinuation { continuation in
            withCore { core in core.waitForFinish(id, continuation) }
        }
    }

    // MARK: Ticker

    /// Heartbeats every third of the timeout; liveness, late seconds and the run's end every tick.
    private func tickLoop() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: Self.tickInterval)
            withCore { $0.tick() }
        }
    }
}
