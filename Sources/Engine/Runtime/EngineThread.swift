import CCurl
import Glibc
import Protocol

/// One engine thread: owns its libcurl multi handles, its users and its stats window, and runs
/// the loop issue → perform → complete → record until told to stop. Nothing here is shared with
/// another engine thread; `@unchecked Sendable` only because it is handed to its thread once.
/// Its state and loop are here; the rest of the thread is in extensions named for their job:
/// `+Users` (spawning, retiring, arrivals), `+Script` (a user's next step), `+Requests` (issue,
/// complete), `+Response` (checks, extraction) and `+Phases` (timing phases).
final class EngineThread: @unchecked Sendable {
    /// One multi handle slows as its connection cache grows (libcurl 7.88 scans it per request);
    /// ~200 connections each kept the cost flat in measurements here.
    static let usersPerMulti = 200
    /// Open model: the most arrivals one loop pass starts. Past it the pass counts the rest as
    /// dropped and moves on, so a rate of any size (even one the clock cannot resolve) leaves the
    /// thread reading its control queue, finishing transfers and ending on time.
    static let maxArrivalsPerPass = 4096
    /// Closed model: the most users one loop pass adds.
    static let maxSpawnsPerPass = 1024
    /// After a stop, how long requests in flight may still finish before they are counted as
    /// `cancelled at end`: short enough that a stop always wins within a second.
    static let drainMicros: UInt64 = 500_000
    /// Open model: rates above this (arrivals per second) run as this rate.
    static let maxRate = 1e9

    let index: Int
    let threadCount: Int
    let control: ShardControl
    let plan: Plan
    let prepared: [PreparedRequest]
    private let exchange: ShardExchange
    private let runStart: UInt64
    let dataRows: [[[UInt8]]]
    let proxy: ProxySettings
    /// `data: { mode: unique }`: users on this node may number at most the rows of its slice.
    let uniqueUserLimit: Int
    /// `http:` and `tls:` settings, given to each new user's handle; outlives the users.
    let transport: EngineTransport

    var multis: [UnsafeMutableRawPointer]
    var users: [VirtualUser] = []
    /// Closed model: users `0..<active` are live; the rest are retired or retiring.
    /// Open model: iterations in flight.
    var active = 0
    var model: LoadModel
    /// Open model: when the next iteration is due (µs, fractional so rates do not drift).
    var nextArrival: Double
    /// Open model: set when the last pass dropped an arrival for want of a free user; the next
    /// start then waits for a completion (or 1 ms) instead of spinning on a schedule it cannot keep.
    var saturated = false
    /// Closed model: the last pass added its most users and more are wanted.
    var spawnsPending = false
    /// Open model: idle users ready to run the next arrival.
    var freeSlots: [Int] = []
    var ready: [Int] = []
    private var completed: [(user: VirtualUser, code: CURLcode)] = []
    var timers = TimerHeap()
    var window: WindowStats
    private var windowEnd: UInt64
    private var windowStartCPU: UInt64 = 0
    private var windowStartWall: UInt64 = 0
    var random = FastRandom()
    /// Counts users ever spawned here, so each takes the next row of the data feed.
    var spawned = 0
    /// Requests handed to libcurl and not yet completed.
    var inFlight = 0
    /// Users whose request libcurl refused to start: completed as failures on the next pass.
    var refused: [VirtualUser] = []
    private var refusedScratch: [VirtualUser] = []
    /// Set once stop was posted: no new request starts; those in flight may finish until `drainEnd`.
    var draining = false

    init(index: Int, threadCount: Int, plan: Plan, exchange: ShardExchange, model: LoadModel, runStart: UInt64) {
        self.index = index
        self.threadCount = threadCount
        self.plan = plan
        self.exchange = exchange
        self.model = model
        self.runStart = runStart
        // A resumed run's clock started long ago (`EngineResume`): its first arrival and window are
        // from now on, not every arrival and second since that start.
        let now = MonotonicClock.micros()
        let from = now > runStart + 1_000_000 ? now : runStart
        // Threads' arrivals interleave instead of landing together.
        nextArrival =
            Double(from) + Double(index) * 1_000_000 / model.rate(at: from).clamped(1, .greatestFiniteMagnitude)
        prepared = plan.requests.map { PreparedRequest($0, host: plan.requestHost) }
        dataRows = plan.data?.rows.map { $0.map { Array($0.utf8) } } ?? []
        proxy = ProxySettings.forHost(plan.host)
        uniqueUserLimit = plan.uniqueUserCap ?? .max
        transport = EngineTransport(plan)
        let first = EngineThread.makeMulti()
        multis = [first]
        control = ShardControl(wakeHandle: first)
        window = WindowStats(endpoints: plan.endpoints.count)
        windowEnd = from - (from - runStart) % 1_000_000 + 1_000_000
    }

    deinit {
        for user in users where user.state == .inFlight { curl_multi_remove_handle(multis[user.multi], user.easy) }
        users.removeAll()
        for multi in multis { curl_multi_cleanup(multi) }
    }

    /// The code a refused start completes with (never one libcurl reports for a finished transfer).
    static let refusedCode = CURLE_FAILED_INIT

    static func makeMulti() -> UnsafeMutableRawPointer {
        guard let multi = curl_multi_init() else { fatalError("curl_multi_init failed: out of memory") }
        ccurl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, usersPerMulti + 16)
        return multi
    }

    // MARK: The loop

    func run() {
        windowStartCPU = MonotonicClock.threadCPUMicros()
        windowStartWall = MonotonicClock.micros()
        // Made here: it sets this thread's timer slack.
        let waiter = DeadlineWait()
        var drainEnd: UInt64 = 0
        while true {
            if !draining, let command = control.take() {
                if command.stop {
                    draining = true
                    drainEnd = MonotonicClock.micros() + EngineThread.drainMicros
                }
                if let newModel = command.model { model = newModel }
            }
            var now = MonotonicClock.micros()
            if draining {
                if inFlight == 0 || now >= drainEnd { break }
                performAll()
                now = MonotonicClock.micros()
                completeAll(now)
                if now >= windowEnd { handOffWindow(now) }
                poll(until: min(drainEnd, now + 10_000), now: now, waiter: waiter)
                continue
            }
            switch model {
            case .closed: adjustUsers(now)
            case .open: startDueArrivals(now)
            }
            while let entry = timers.popDue(now) {
                let user = users[Int(entry.slot)]
                guard user.state == .waiting, user.generation == entry.generation else { continue }
                beginTask(user, intended: entry.wake)
            }
            for slot in ready {
                let user = users[slot]
                if user.state == .idle && slot < active { startScript(user, intended: now) }
            }
            ready.removeAll(keepingCapacity: true)

            performAll()
            now = MonotonicClock.micros()
            completeAll(now)

            if now >= windowEnd { handOffWindow(now) }
            poll(until: nextDeadline(now), now: now, waiter: waiter)
        }
        shutdown()
    }

    private func performAll() {
        var running: Int32 = 0
        var queued: Int32 = 0
        for multi in multis {
            curl_multi_perform(multi, &running)
            // Drain every message before any handle is removed: removal invalidates the queue.
            while let message = curl_multi_info_read(multi, &queued) {
                guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
                completed.append((VirtualUser.from(easy: easy), message.pointee.data.result))
            }
        }
    }

    /// Records what libcurl finished and what it refused to start, and moves those users on.
    private func completeAll(_ now: UInt64) {
        for (user, code) in completed { complete(user, code: code, done: now) }
        completed.removeAll(keepingCapacity: true)
        guard !refused.isEmpty else { return }
        // Swapped out first: moving a user on may issue (and be refused) again, for the next pass.
        swap(&refused, &refusedScratch)
        for user in refusedScratch { complete(user, code: EngineThread.refusedCode, done: now) }
        refusedScratch.removeAll(keepingCapacity: true)
    }

    private func nextDeadline(_ now: UInt64) -> UInt64 {
        if !ready.isEmpty || !completed.isEmpty || !refused.isEmpty || spawnsPending { return now }
        var deadline = min(windowEnd, now + 100_000)
        if let wake = timers.earliest { deadline = min(deadline, wake) }
        switch model {
        case .closed(let schedule):
            if !schedule.isSettled(at: now) { deadline = min(deadline, now + 5_000) }
        case .open:
            deadline = min(deadline, saturated ? now + 1_000 : UInt64(saturating: nextArrival))
        }
        return deadline
    }

    private func poll(until deadline: UInt64, now: UInt64, waiter: DeadlineWait) {
        if multis.count == 1 { return waiter.wait(on: multis[0], until: deadline, now: now) }
        // curl_multi_poll waits on one multi's sockets: look at the others without blocking, and
        // block (briefly, so the others are not starved) only when none has anything to do.
        var events: Int32 = 0
        for multi in multis.dropFirst() {
            var n: Int32 = 0
            curl_multi_poll(multi, nil, 0, 0, &n)
            events += n
        }
        waiter.wait(on: multis[0], until: events > 0 ? now : deadline, now: now, atMostMs: 1)
    }

    private func handOffWindow(_ now: UInt64) {
        let cpu = MonotonicClock.threadCPUMicros()
        window.second = Int((windowEnd - 1 - runStart) / 1_000_000)
        window.users = active
        window.cpuMicros = cpu &- windowStartCPU
        window.wallMicros = now &- windowStartWall
        windowStartCPU = cpu
        windowStartWall = now
        window = exchange.swap(window)
        windowEnd += 1_000_000
        if windowEnd <= now { windowEnd = now - (now - runStart) % 1_000_000 + 1_000_000 }
    }

    /// Ends the thread's part of the run. Requests still in flight after the drain are counted as
    /// failed, `cancelled at end`, with the age they had as their latency (a lower bound): a target
    /// that never answers must show in the results, not vanish from them.
    private func shutdown() {
        let now = MonotonicClock.micros()
        for user in users where user.state == .inFlight {
            curl_multi_remove_handle(multis[user.multi], user.easy)
            window.record(
                endpoint: prepared[user.request].plan.endpoint, intended: user.intendedStart,
                sent: user.sentAt, done: now, bytes: user.bytesIn, failure: .cancelledAtEnd)
            user.state = .retired
        }
        inFlight = 0
        // The last, partial window: its requests count, its CPU share is over the time it spanned.
        windowEnd = max(windowEnd, now)
        window.second = Int((min(now, windowEnd - 1) - runStart) / 1_000_000)
        window.users = active
        window.cpuMicros = MonotonicClock.threadCPUMicros() &- windowStartCPU
        window.wallMicros = now &- windowStartWall
        window = exchange.swap(window)
    }
}
