/// What a user does next: its `on_start` steps, then a task drawn by weight, step after step,
/// with the think time between tasks.
extension EngineThread {
    func startScript(_ user: VirtualUser, intended: UInt64) {
        if plan.onStart.isEmpty {
            beginTask(user, intended: intended)
        } else {
            user.phase = .onStart(step: 0)
            issue(plan.onStart[0], for: user, intended: intended)
        }
    }

    func beginTask(_ user: VirtualUser, intended: UInt64) {
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
