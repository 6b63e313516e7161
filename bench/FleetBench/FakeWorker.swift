import Federation
import NIOCore
import Protocol

/// One protocol-level worker on its own TCP connection. It speaks exactly what `FederationWorker`
/// speaks — `hello`, the master's proof checked before its own is given, heartbeats every third of
/// the master's timeout, `worker_state` — but its statistics come from a `ReportFactory` instead of
/// an engine, so hundreds fit in one process on one core. All state lives on the channel's loop.
final class FakeWorker: ChannelInboundHandler {
    typealias InboundIn = FederationMessage
    typealias OutboundOut = FederationMessage

    let index: Int
    let node: NodeID
    private let ledger: FleetLedger
    private let factory: ReportFactory
    private var handshake: WorkerHandshake
    private var context: ChannelHandlerContext?
    private var welcomed = false
    private var assignment: Assignment?
    /// 1, 2, 3, … within the current assignment, as the master's deduplication expects.
    private var sequence: UInt64 = 0
    private var heartbeat: Scheduled<Void>?
    private var nextReport: Scheduled<Void>?
    /// When this fake last wrote a frame: like a real worker, it heartbeats only when it has sent
    /// nothing else for a beat.
    private var lastSent = NIODeadline.now()
    /// When the assignment came, and the run seconds from its `startSecond` to the stream's first
    /// report: a report carries the run second that has just ended, as a real worker's does. (Every
    /// fake starts streaming together once all are assigned, seconds after the first was: numbered
    /// from `startSecond` alone, early fakes' reports came for seconds the master had already closed
    /// and took its late path.)
    private var assignedAt = NIODeadline.now()
    private var secondsBeforeStream = 0

    init(index: Int, token: FleetToken, binding: ChannelBinding, ledger: FleetLedger, factory: ReportFactory) {
        self.index = index
        let digits = String(index)
        node = NodeID(rawValue: "fake-" + String(repeating: "0", count: max(0, 3 - digits.count)) + digits)
        self.ledger = ledger
        self.factory = factory
        // Cores 2, threads 1: each fake reports one interval a second, like a one-thread worker.
        handshake = WorkerHandshake(
            token: token,
            hello: Hello(
                node: node, loaddVersion: "fleetbench", cores: 2, threads: 1, maxUsers: 10_000, weight: 1,
                nonce: FleetToken.nonce()), binding: { binding })
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimers()
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        send(handshake.opening)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelTimers()
        ledger.problem("\(node): connection closed by the master")
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        ledger.problem("\(node): \(error)")
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let message = Self.unwrapInboundIn(data)
        guard welcomed else { return handshakeStep(handshake.receive(message)) }
        switch message {
        case .heartbeat, .statsAck:
            // A fake worker keeps nothing to resend: an ack is only a sign of life.
            break
        case .assign(let assignment):
            self.assignment = assignment
            assignedAt = .now()
            sequence = 0
            send(.workerState(WorkerReport(run: assignment.run, activity: .running, users: assignment.users, rps: 0)))
            ledger.assigned(assignment.run)
        case .stop(let request) where request.run == assignment?.run:
            nextReport?.cancel()
            assignment = nil
            send(.workerState(WorkerReport(run: request.run, activity: .idle, users: 0, rps: 0)))
        case .setUsers, .setRate, .reset, .stop:
            // Synthetic statistics have no users or rate to change.
            break
        default:
            ledger.problem("\(node): unexpected \(message.kind.stringValue) from the master")
            context.close(promise: nil)
        }
    }

    private func handshakeStep(_ step: WorkerHandshake.Step) {
        switch step {
        case .reply(let message):
            send(message)
        case .welcomed(let welcome):
            welcomed = true
            ledger.welcomed()
            scheduleHeartbeat(every: .milliseconds(Int64(welcome.heartbeatTimeoutMs / 3)))
        case .refused(let reason), .violation(let reason):
            ledger.problem("\(node): \(reason)")
            context?.close(promise: nil)
        }
    }

    // MARK: Streaming

    /// Sends a report for seconds 0, 1, … `seconds - 1` of the stream, second `k` at `start + offset + k s`:
    /// absolute deadlines, so a late tick never shifts the ones after it.
    func startStreaming(at start: NIODeadline, offset: TimeAmount, seconds: Int) {
        secondsBeforeStream = max(0, Int((start + offset - assignedAt).nanoseconds / 1_000_000_000) - 1)
        schedule(second: 0, of: seconds, at: start + offset)
    }

    private func schedule(second: Int, of seconds: Int, at deadline: NIODeadline) {
        guard second < seconds, let context else { return }
        nextReport = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
            self.report(second: second)
            self.schedule(second: second + 1, of: seconds, at: deadline + .seconds(1))
        }
    }

    /// Like a real worker's tick: the interval deltas, then what it is doing.
    private func report(second: Int) {
        guard let assignment, let context else { return }
        sequence += 1
        let stats = StatsReport(
            node: node, run: assignment.run, assignment: assignment.assignment, sequence: sequence,
            intervals: [
                factory.interval(
                    second: assignment.startSecond + secondsBeforeStream + second,
                    variant: index + second)
            ])
        let ledger = self.ledger
        let node = self.node
        // "Sent" is when the bytes reached the kernel, which is when this write completes.
        lastSent = .now()
        context.writeAndFlush(Self.wrapOutboundOut(.stats(stats))).whenComplete { result in
            switch result {
            case .success: ledger.sent(second: second, at: .now())
            case .failure(let error): ledger.problem("\(node): stats of second \(second) not sent: \(error)")
            }
        }
        send(
            .workerState(
                WorkerReport(
                    run: assignment.run, activity: .running, users: assignment.users,
                    rps: Double(factory.requestsPerReport))))
    }

    // MARK: Helpers

    private func scheduleHeartbeat(every interval: TimeAmount) {
        guard let context else { return }
        heartbeat = context.eventLoop.assumeIsolated().scheduleTask(deadline: lastSent + interval) {
            if NIODeadline.now() - self.lastSent >= interval { self.send(.heartbeat) }
            self.scheduleHeartbeat(every: interval)
        }
    }

    private func send(_ message: FederationMessage) {
        lastSent = .now()
        context?.writeAndFlush(Self.wrapOutboundOut(message), promise: nil)
    }

    private func cancelTimers() {
        heartbeat?.cancel()
        nextReport?.cancel()
        heartbeat = nil
        nextReport = nil
    }
}
