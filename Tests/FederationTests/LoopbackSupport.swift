import Federation
import Foundation
import Logging
import NIOCore
import NIOPosix
import Protocol
import Synchronization
import Testing

let testToken = try! FleetToken(Array("correct horse battery staple".utf8))
let otherToken = try! FleetToken(Array("a different token entirely".utf8))

/// A master on 127.0.0.1 and a free port, with its event loops; `close()` ends both. Its logs and
/// its workers' are silent unless `FEDERATION_TEST_LOG` is set (then debug, to stderr).
struct LoopbackMaster {
    let master: FederationMaster
    let port: Int
    let group: MultiThreadedEventLoopGroup

    /// The long default timeout keeps a starved test process (the whole suite on two cores) from
    /// losing workers by accident; tests of liveness use exact clocks or separate processes.
    /// `log` keeps what the master logs, for tests that wait for a logged event.
    static func start(
        heartbeatTimeout: Duration = .seconds(30), maxFrameBytes: Int = FederationProtocol.maxFrameBytes,
        token: FleetToken = testToken, tls: MasterTLS? = nil,
        log: CapturedLog? = nil
    ) async throws -> LoopbackMaster {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var logger = Logger(label: "test-master")
        logger.logLevel = ProcessInfo.processInfo.environment["FEDERATION_TEST_LOG"] == nil ? .critical : .debug
        if let log { logger = log.logger(label: "test-master") }
        let master = FederationMaster(
            configuration: MasterConfiguration(
                node: NodeID(rawValue: "master"), host: "127.0.0.1", port: 0,
                token: token, heartbeatTimeout: heartbeatTimeout, version: "test",
                maxFrameBytes: maxFrameBytes, tls: tls),
            group: group, logger: logger)
        let port = try await master.start()
        return LoopbackMaster(master: master, port: port, group: group)
    }

    func worker(
        _ name: String, token: FleetToken = testToken, cores: Int = 1, threads: Int = 1,
        protocolVersion: UInt16 = FederationProtocol.version, tls: WorkerTLS? = nil,
        port: Int? = nil, log: CapturedLog? = nil
    ) async -> FederationWorker {
        var logger = Logger(label: "test-worker")
        logger.logLevel = ProcessInfo.processInfo.environment["FEDERATION_TEST_LOG"] == nil ? .critical : .debug
        if let log { logger = log.logger(label: "test-worker") }
        let worker = FederationWorker(
            configuration: WorkerConfiguration(
                node: NodeID(rawValue: name), masterHost: "127.0.0.1",
                masterPort: port ?? self.port,
                token: token, version: "test", threads: threads, cores: cores,
                maxUsers: 10_000, protocolVersion: protocolVersion, tls: tls),
            group: group, logger: logger)
        await worker.start()
        return worker
    }

    func close() async {
        await master.shutdown()
        try? await group.shutdownGracefully()
    }
}

/// The smallest HTTP/1.1 target that keeps a connection alive: every request head gets a
/// 200 "ok". Counts requests, so tests can see load arrive and stop.
final class TinyTarget: Sendable {
    let channel: any Channel
    var port: Int { channel.localAddress!.port! }
    var host: String { "http://127.0.0.1:\(port)" }

    init(group: any EventLoopGroup) async throws {
        let counter = Counter()
        channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Responder(counter: counter))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        self.counter = counter
    }

    private let counter: Counter
    var count: Int { counter.value.load(ordering: .relaxed) }

    func close() async { try? await channel.close() }

    final class Counter: Sendable { let value = Atomic<Int>(0) }

    private final class Responder: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let counter: Counter
        var pending: [UInt8] = []
        static let reply = Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok".utf8)

        init(counter: Counter) { self.counter = counter }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            pending += Array(unwrapInboundIn(data).readableBytesView)
            var answered = 0
            while let end = headEnd() {
                pending.removeFirst(end)
                answered += 1
            }
            guard answered > 0 else { return }
            counter.value.add(answered, ordering: .relaxed)
            var out = context.channel.allocator.buffer(capacity: Self.reply.count * answered)
            for _ in 0..<answered { out.writeBytes(Self.reply) }
            context.writeAndFlush(wrapOutboundOut(out), promise: nil)
        }

        private func headEnd() -> Int? {
            guard pending.count >= 4 else { return nil }
            for i in 3..<pending.count
            where pending[i] == 10 && pending[i - 1] == 13 && pending[i - 2] == 10 && pending[i - 3] == 13 {
                return i + 1
            }
            return nil
        }
    }
}

/// Collects a worker's events in the background, for tests to look at.
final class EventLog: Sendable {
    private final class Storage: Sendable {
        let events = Mutex<[WorkerEvent]>([])
    }

    private let storage = Storage()
    private let task: Task<Void, Never>

    init(_ worker: FederationWorker) {
        let storage = self.storage
        task = Task { for await event in worker.events { storage.events.withLock { $0.append(event) } } }
    }

    var all: [WorkerEvent] { storage.events.withLock { $0 } }

    var endedSummaries: [RunSummary] {
        all.compactMap { if case .shareEnded(_, let summary) = $0 { summary } else { nil } }
    }

    /// The events in brief, for failure messages.
    var kinds: [String] {
        all.map {
            switch $0 {
            case .connected: "connected"
            case .disconnected(let reason): "disconnected(\(reason))"
            case .refused(let reason): "refused(\(reason))"
            case .shareStarted(let run, _, _, _): "started(\(run))"
            case .shareUsersChanged(_, let users): "users(\(users))"
            case .shareEnded(_, let summary): "ended(\(summary.total.requests), \(summary.abortReason ?? "-"))"
            }
        }
    }

    var refusals: [String] {
        all.compactMap { if case .refused(let reason) = $0 { reason } else { nil } }
    }

    deinit { task.cancel() }
}
