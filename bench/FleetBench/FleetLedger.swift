import NIOCore
import Protocol
import Synchronization

/// What the fake workers did, in one place: joins, assignments, and who sent which second. Fakes
/// write it from their event loop; the driver and the delay sampler read it. A mutex rather than an
/// actor: an event loop must never wait for a hop, and every section here is a few counters.
final class FleetLedger: Sendable {
    /// Every fake has sent second `second` of its stream; the last at `lastSentAt`. Once the master
    /// has merged them all, its total is at least `expectedTotal` (everything sent up to that second).
    struct SecondSent: Sendable {
        var second: Int
        var lastSentAt: NIODeadline
        var expectedTotal: UInt64
    }

    private struct State {
        var fakes: [NIOLoopBound<FakeWorker>] = []
        var welcomed = 0
        var assigned = 0
        var run: RunID?
        /// Reports handed to the kernel, per second of the stream.
        var sent: [Int: Int] = [:]
        var reports = 0
        /// Connections that ended, and anything a fake could not do, in the words of the fake.
        var problems: [String] = []
        var closing = false
    }

    let workers: Int
    let requestsPerReport: UInt64
    private let state = Mutex(State())
    private let sink: AsyncStream<SecondSent>.Continuation
    /// One element per second of the stream, when its last report went out.
    let completedSeconds: AsyncStream<SecondSent>

    init(workers: Int, requestsPerReport: UInt64) {
        self.workers = workers
        self.requestsPerReport = requestsPerReport
        (completedSeconds, sink) = AsyncStream.makeStream(of: SecondSent.self, bufferingPolicy: .unbounded)
    }

    func register(_ fake: NIOLoopBound<FakeWorker>) { state.withLock { $0.fakes.append(fake) } }
    func welcomed() { state.withLock { $0.welcomed += 1 } }

    func assigned(_ run: RunID) {
        state.withLock { state in
            if state.run != run { state.run = run }
            state.assigned += 1
        }
    }

    /// A report of `second` is on its way; the last one of a second completes it.
    func sent(second: Int, at time: NIODeadline) {
        let completed: SecondSent? = state.withLock { state in
            state.reports += 1
            let count = state.sent[second, default: 0] + 1
            state.sent[second] = count
            guard count == workers else { return nil }
            let reports = state.sent.filter { $0.key <= second }.values.reduce(0, +)
            return SecondSent(second: second, lastSentAt: time, expectedTotal: UInt64(reports) * requestsPerReport)
        }
        if let completed { sink.yield(completed) }
    }

    /// Something went wrong for one fake; a connection lost while the driver is not closing them counts.
    func problem(_ text: String) {
        state.withLock { state in
            if !state.closing { state.problems.append(text) }
        }
    }

    /// From now on, connections ending are expected.
    func beginClosing() { state.withLock { $0.closing = true } }

    /// No more seconds will complete.
    func finishStream() { sink.finish() }

    var fakes: [NIOLoopBound<FakeWorker>] { state.withLock { $0.fakes } }
    var welcomedCount: Int { state.withLock { $0.welcomed } }
    var assignedCount: Int { state.withLock { $0.assigned } }
    var run: RunID? { state.withLock { $0.run } }
    var reportsSent: Int { state.withLock { $0.reports } }
    var problems: [String] { state.withLock { $0.problems } }
}
