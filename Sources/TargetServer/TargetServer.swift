import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The built-in HTTP target: fixed-size bodies, exact counters and knobs for latency, errors and stalls,
/// so that load tests can compare what they measured with what really happened.
///
/// Start one with `start(_:)`, load `baseURL`, and `stop()` it. Safe to use from any thread.
public final class TargetServer: Sendable {
    /// The bound port (the kernel's pick when the configuration asked for 0).
    public let port: Int
    /// The address it listens on.
    public let host: String

    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel
    let shared: SharedState
    /// TLS (if any) and the HTTP/1.1-or-HTTP/2 choice per connection; see `TargetServer+HTTP2.swift`.
    private let connections: ConnectionSetup
    private let stopped = Atomic<Bool>(false)
    /// Who waits in `waitUntilStopped()`. Not the channel's close future: once the loops are gone, a
    /// callback on it would never run.
    private let stopWaiters = Mutex<(done: Bool, waiting: [CheckedContinuation<Void, Never>])>((false, []))

    private init(
        host: String, port: Int, group: MultiThreadedEventLoopGroup, channel: any Channel,
        shared: SharedState, connections: ConnectionSetup
    ) {
        self.host = host
        self.connections = connections
        self.port = port
        self.group = group
        self.channel = channel
        self.shared = shared
    }

    /// Starts serving on `config.host:config.port` and returns once the socket accepts connections.
    ///
    /// Throws `TargetServerError` for an invalid configuration, a port already in use, or any other bind
    /// failure; no threads are left behind when it throws.
    public static func start(_ config: TargetConfig, tls: TargetTLS? = nil) async throws -> TargetServer {
        try config.validate()
        let connections = ConnectionSetup(tls: try tls.map { try TargetTLSContext($0) })
        let group = MultiThreadedEventLoopGroup(numberOfThreads: config.threads)
        let shared = SharedState(config: config, loopCount: config.threads)
        // Looked up once per connection, so each handler holds its loop's state directly.
        var states: [ObjectIdentifier: NIOLoopBoundBox<LoopState>] = [:]
        for (index, loop) in group.makeIterator().enumerated() {
            let box = NIOLoopBoundBox.makeBoxSendingValue(
                LoopState(
                    shared: shared, counters: shared.counters[index], allocator: ByteBufferAllocator(),
                    eventLoop: loop),
                eventLoop: loop)
            states[ObjectIdentifier(loop)] = box
            shared.addStallListener { loop.execute { box.value.stallChanged() } }
        }
        let loopStates = states

        do {
            let channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 1024)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        guard let state = loopStates[ObjectIdentifier(channel.eventLoop)] else {
                            preconditionFailure("connection accepted on an event loop the server did not create")
                        }
                        try connections.configure(channel, state: state)
                    }
                }
                .bind(host: config.host, port: config.port)
                .get()
            guard let port = channel.localAddress?.port else {
                try? await channel.close()
                throw TargetServerError.cannotBind(
                    host: config.host, port: config.port,
                    reason: "the socket has no local address")
            }
            return TargetServer(
                host: config.host, port: port, group: group, channel: channel, shared: shared,
                connections: connections)
        } catch {
            shared.removeStallListeners()
            try? await group.shutdownGracefully()
            throw bindError(error, host: config.host, port: config.port)
        }
    }

    /// `http://HOST:PORT` (`https://` when serving TLS), with an IPv6 host in brackets.
    public var baseURL: String {
        let scheme = connections.tls == nil ? "http" : "https"
        return host.contains(":") ? "\(scheme)://[\(host)]:\(port)" : "\(scheme)://\(host):\(port)"
    }

    /// Connections by protocol, and requests answered over HTTP/2, since start.
    public func protocolStats() -> ProtocolStats { connections.counters.snapshot }

    /// The configuration in force: knobs as last changed, `stall` as what is left of the current stall.
    public var config: TargetConfig {
        var config = shared.snapshot().reported()
        config.port = port
        return config
    }

    /// Changes knobs at runtime, exactly as `POST /control` does, and returns the configuration now in
    /// force. Every event loop picks the change up at its next request and restarts its fraction sequence.
    @discardableResult
    public func update(_ change: TargetChange) throws -> TargetConfig {
        _ = try shared.update(change)
        return config
    }

    /// Responses sent since start or the last reset (admin endpoints excluded).
    public func requestCount() -> Int { shared.stats().requests }

    /// Counters since start or the last reset, as `GET /stats` reports them.
    public func stats() -> TargetStats { shared.stats() }

    /// Zeroes the counters, as `POST /stats/reset` does.
    public func resetStats() { shared.resetStats() }

    /// Returns once `stop()` has finished, for a command that serves until told to quit.
    public func waitUntilStopped() async {
        await withCheckedContinuation { continuation in
            let done = stopWaiters.withLock { state in
                if !state.done { state.waiting.append(continuation) }
                return state.done
            }
            if done { continuation.resume() }
        }
    }

    /// Stops accepting, closes every connection (held responses are dropped) and ends the threads.
    /// Calling it again does nothing.
    public func stop() async throws {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        shared.removeStallListeners()
        defer {
            let waiting = stopWaiters.withLock { state in
                state.done = true
                return state.waiting
            }
            for continuation in waiting { continuation.resume() }
        }
        try? await channel.close()
        try await group.shutdownGracefully()
    }

    deinit {
        // A forgotten stop() would leak the threads; nobody can wait for this shutdown, so don't.
        if !stopped.load(ordering: .acquiring) {
            shared.removeStallListeners()
            group.shutdownGracefully { _ in }
        }
    }

    private static func bindError(_ error: any Error, host: String, port: Int) -> any Error {
        if error is TargetServerError { return error }
        if let io = error as? IOError, io.errnoCode == EADDRINUSE {
            return TargetServerError.portInUse(host: host, port: port)
        }
        return TargetServerError.cannotBind(host: host, port: port, reason: "\(error)")
    }
}
