import CCurl
import Glibc
import Protocol

/// One engine thread: owns its libcurl multi handles, its users and its stats window, and runs
/// the loop issue → perform → complete → record until told to stop. Nothing here is shared with
/// another engine thread; `@unchecked Sendable` only because it is handed to its thread once.
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
    private let plan: Plan
    let prepared: [PreparedRequest]
    private let exchange: ShardExchange
    private let runStart: UInt64
    private let dataRows: [[[UInt8]]]
    private let proxy: ProxySettings
    /// `data: { mode: unique }`: users on this node may number at most the rows of its slice.
    private let uniqueUserLimit: Int
    /// `http:` and `tls:` settings, given to each new user's handle; outlives the users.
    let transport: EngineTransport

    var multis: [UnsafeMutableRawPointer]
    private var users: [VirtualUser] = []
    /// Closed model: users `0..<active` are live; the rest are retired or retiring.
    /// Open model: iterations in flight.
    var active = 0
    var model: LoadModel
    /// Open model: when the next iteration is due (µs, fractional so rates do not drift).
    private var nextArrival: Double
    /// Open model: set when the last pass dropped an arrival for want of a free user; the next
    /// start then waits for a completion (or 1 ms) instead of spinning on a schedule it cannot keep.
    private var saturated = false
    /// Closed model: the last pass added its most users and more are wanted.
    private var spawnsPending = false
    /// Open model: idle users ready to run the next arrival.
    private var freeSlots: [Int] = []
    private var ready: [Int] = []
    private var completed: [(user: VirtualUser, code: CURLcode)] = []
    private var timers = TimerHeap()
    var window: WindowStats
    private var windowEnd: UInt64
    private var windowStartCPU: UInt64 = 0
    private var windowStartWall: UInt64 = 0
    var random = FastRandom()
    /// Counts users ever spawned here, so each takes the next row of the data feed.
    private var spawned = 0
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

    private static func makeMulti() -> UnsafeMutableRawPointer {
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

    // MARK: Users

    private func adjustUsers(_ now: UInt64) {
        guard case .closed(let schedule) = model else { return }
        let wanted = Ramp.share(of: schedule.total(at: now), thread: index, threads: threadCount)
        // At most a pass's worth of new users (each is a libcurl handle to make), so a huge jump
        // in users still leaves the loop turning: control read, requests completed.
        let most = min(wanted, active + EngineThread.maxSpawnsPerPass)
        while active < most { spawnUser(now) }
        while active > wanted { retireUser() }
        spawnsPending = active < wanted
    }

    /// Open model: starts every iteration due by `now`, each from its scheduled time so a late
    /// start shows in its latency; with no user free and none allowed to be added, it is dropped.
    private func startDueArrivals(_ now: UInt64) {
        guard case .open(_, let maxInFlight) = model else { return }
        // This thread's share of the cap, rounded up, without the overflow `(a + b - 1) / b` has.
        let cap = max(1, maxInFlight)
        let share = cap / threadCount + (cap % threadCount == 0 ? 0 : 1)
        var started = 0
        saturated = false
        while nextArrival <= Double(now) {
            let due = UInt64(saturating: nextArrival)
            // Past a billion a second every rate is "more than this node can start":
            // the cap keeps the arithmetic below finite and the schedule moving.
            let perThread = min(model.rate(at: due), EngineThread.maxRate) / Double(threadCount)
            guard perThread > 0 else {
                nextArrival = Double(now) + 10_000   // idle at rate 0 (or NaN): look again soon
                return
            }
            let interval = 1_000_000 / perThread
            if started == EngineThread.maxArrivalsPerPass {
                // Behind by more than a pass can start: the rest due by now are dropped, counted.
                let behind = ((Double(now) - nextArrival) / interval).rounded(.down) + 1
                window.dropped = window.dropped.saturatingAdd(UInt64(saturating: behind))
                nextArrival = Double(now) + interval
                return
            }
            started += 1
            nextArrival += interval
            if let slot = freeSlots.popLast() {
                let user = users[slot]
                active += 1
                user.state = .idle
                beginTask(user, intended: due)
            } else if users.count < share && users.count * threadCount + index < uniqueUserLimit {
                let slot = users.count
                let multi = slot / EngineThread.usersPerMulti
                if multi == multis.count { multis.append(EngineThread.makeMulti()) }
                let user = VirtualUser(slot: slot, multi: multi, proxy: proxy)
                transport.apply(to: user, multi: multis[multi])
                users.append(user)
                resetValues(of: user)
                active += 1
                startScript(user, intended: due)
            } else {
                // No user free and none may be added: this arrival and every other one due by now
                // are dropped at once (one by one, a huge rate would cost a loop turn each).
                let more = nextArrival <= Double(now) ? ((Double(now) - nextArrival) / interval).rounded(.down) + 1 : 0
                window.dropped = window.dropped.saturatingAdd(1).saturatingAdd(UInt64(saturating: more))
                nextArrival += more * interval
                if nextArrival <= Double(now) { nextArrival = Double(now) + interval }
                saturated = true
                return
            }
        }
    }

    /// Open model: the iteration is over; the user waits for the next arrival.
    private func finishIteration(_ user: VirtualUser) {
        active -= 1
        user.state = .idle
        freeSlots.append(user.slot)
    }

    private func spawnUser(_ now: UInt64) {
        let slot = active
        active += 1
        if slot < users.count {
            let user = users[slot]
            if user.retiring {
                user.retiring = false   // still in flight: simply keeps going
                return
            }
            resetValues(of: user)
            user.state = .idle
            ready.append(slot)
            return
        }
        let multi = slot / EngineThread.usersPerMulti
        if multi == multis.count { multis.append(EngineThread.makeMulti()) }
        let user = VirtualUser(slot: slot, multi: multi, proxy: proxy)
        transport.apply(to: user, multi: multis[multi])
        users.append(user)
        timers.reserve(users.count)
        resetValues(of: user)
        ready.append(slot)
    }

    private func retireUser() {
        active -= 1
        let user = users[active]
        switch user.state {
        case .inFlight: user.retiring = true
        case .idle, .waiting: user.state = .retired
        case .retired: break
        }
    }

    /// Renders the user's vars and picks its data row: once per spawn, never per request.
    private func resetValues(of user: VirtualUser) {
        let row = DataRowPick.row(
            plan.data?.mode ?? .cycle, partition: plan.dataPartition, spawned: spawned,
            slot: user.slot, thread: index, threads: threadCount, rows: dataRows.count,
            random: &random)
        spawned += 1
        user.values.data = dataRows.isEmpty ? [] : dataRows[row % dataRows.count]
        user.resetSession(cookies: plan.session.cookies)
        // A new life starts without values from responses: kept buffers, emptied.
        if user.values.extracted.count != plan.labels.extractSlots {
            user.values.extracted = Array(repeating: [], count: plan.labels.extractSlots)
        }
        for slot in user.values.extracted.indices { user.values.extracted[slot].removeAll(keepingCapacity: true) }
        user.retryOnStart = false
        user.values.vars.removeAll(keepingCapacity: true)
        let scratch = user.urlBuffer
        for variable in plan.vars {
            scratch.removeAll()
            TemplateRenderer.render(variable.value, into: scratch, user: user.values, random: &random)
            user.values.vars.append(Array(UnsafeBufferPointer(start: scratch.base, count: scratch.count)))
        }
        user.lastURL = nil
    }

    private func startScript(_ user: VirtualUser, intended: UInt64) {
        if plan.onStart.isEmpty {
            beginTask(user, intended: intended)
        } else {
            user.phase = .onStart(step: 0)
            issue(plan.onStart[0], for: user, intended: intended)
        }
    }

    private func beginTask(_ user: VirtualUser, intended: UInt64) {
        if user.retryOnStart {
            user.retryOnStart = false
            return startScript(user, intended: intended)
        }
        let draw = Int.random(in: 0..<plan.totalWeight, using: &random)
        var low = 0, high = plan.cumulativeWeights.count - 1
        while low < high {
            let mid = (low + high) / 2
            if plan.cumulativeWeights[mid] > draw { high = mid } else { low = mid + 1 }
        }
        user.phase = .task(index: low, step: 0)
        issue(plan.tasks[low].steps[0], for: user, intended: intended)
    }

    /// After a response: the next step of the script, a think time, or the next task.
    func advance(_ user: VirtualUser, now: UInt64) {
        switch user.phase {
        case .onStart(let step):
            if step + 1 < plan.onStart.count {
                user.phase = .onStart(step: step + 1)
                issue(plan.onStart[step + 1], for: user, intended: now)
            } else {
                beginTask(user, intended: now)
            }
        case .task(let task, let step):
            let steps = plan.tasks[task].steps
            if step + 1 < steps.count {
                user.phase = .task(index: task, step: step + 1)
                issue(steps[step + 1], for: user, intended: now)
                return
            }
            nextIteration(user, now: now)
        }
    }

    /// A step failed to extract: the rest of its task (or of on_start) is skipped, counted, and the
    /// user goes on as after a finished task; after on_start it logs in again on its next iteration.
    func abandonIteration(_ user: VirtualUser, now: UInt64) {
        let left: Int
        switch user.phase {
        case .onStart(let step):
            left = plan.onStart.count - step - 1
            user.retryOnStart = true
        case .task(let task, let step):
            left = plan.tasks[task].steps.count - step - 1
        }
        window.skipped &+= UInt64(max(0, left))
        nextIteration(user, now: now)
    }

    /// After a task: the open model frees the user; the closed model waits, then draws the next task.
    private func nextIteration(_ user: VirtualUser, now: UInt64) {
        if case .open = model { return finishIteration(user) }
        switch plan.wait {
        case .none:
            beginTask(user, intended: now)
        case .constant(let pause):
            sleep(user, until: now + pause.microseconds)
        case .between(let low, let high):
            let span = high.microseconds - low.microseconds
            let jitter = span == 0 ? 0 : UInt64.random(in: 0...span, using: &random)
            sleep(user, until: now + low.microseconds + jitter)
        }
    }

    private func sleep(_ user: VirtualUser, until wake: UInt64) {
        user.state = .waiting
        user.generation &+= 1
        timers.push(.init(wake: wake, slot: Int32(user.slot), generation: user.generation))
    }
}
