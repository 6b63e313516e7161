import Protocol

/// What one engine thread measured in one reporting window (one second). Thread-confined while
/// filled; handed whole to the aggregator through `ShardExchange`, never shared while written,
/// hence `@unchecked Sendable`.
final class WindowStats: @unchecked Sendable {
    /// Seconds since the run's start this window covers: `[second, second + 1)`.
    var second = 0
    var requests: [UInt64]
    var failures: [UInt64]
    var bytes: [UInt64]
    /// From intended start to completion: what a user would have waited.
    var latency: [WindowHistogram]
    /// From the actual send to completion: what the target took.
    var serviceTime: [WindowHistogram]
    /// From the intended start to the hand-over to libcurl: the generator's own lateness.
    var lag: [WindowHistogram]
    var failureReasons: [[FailureReason: UInt64]]
    /// DNS, connect, TLS, time to first byte and transfer of the answered requests (`PhaseWindow`).
    var phases: PhaseWindow
    /// Iterations the open model could not start on time (always 0 in the closed model).
    var dropped: UInt64 = 0
    /// Per checks-table row (`ResponseLabels.checkRows`): responses that passed and failed it.
    /// Grown on a row's first use, so steps without checks cost nothing.
    var checkPasses: [UInt64] = []
    var checkFails: [UInt64] = []
    /// Steps not sent because an earlier step of their iteration failed to extract a value.
    var skipped: UInt64 = 0
    /// Users this thread had running when the window closed.
    var users = 0
    /// Connections libcurl opened for the window's requests (reused ones are not counted).
    var newConnections: UInt64 = 0
    /// CPU time the thread used during the window, and the wall time it spanned.
    var cpuMicros: UInt64 = 0
    var wallMicros: UInt64 = 0

    init(endpoints: Int) {
        requests = Array(repeating: 0, count: endpoints)
        failures = Array(repeating: 0, count: endpoints)
        bytes = Array(repeating: 0, count: endpoints)
        latency = Array(repeating: WindowHistogram(), count: endpoints)
        serviceTime = Array(repeating: WindowHistogram(), count: endpoints)
        lag = Array(repeating: WindowHistogram(), count: endpoints)
        failureReasons = Array(repeating: [:], count: endpoints)
        phases = PhaseWindow(endpoints: endpoints)
    }

    /// One finished request. `intended`, `sent` and `done` are monotonic microseconds.
    @inline(__always)
    func record(
        endpoint: Int, intended: UInt64, sent: UInt64, done: UInt64, bytes received: Int, failure: FailureReason?
    ) {
        requests[endpoint] &+= 1
        bytes[endpoint] &+= UInt64(received)
        latency[endpoint].record(max(1, done &- min(intended, done)))
        serviceTime[endpoint].record(max(1, done &- min(sent, done)))
        lag[endpoint].record(max(1, sent &- min(intended, sent)))
        if let failure {
            failures[endpoint] &+= 1
            failureReasons[endpoint][failure, default: 0] &+= 1
        }
    }

    @inline(__always)
    func recordCheck(row: Int, passed: Bool) {
        if row >= checkPasses.count {
            checkPasses += Array(repeating: 0, count: row + 1 - checkPasses.count)
            checkFails += Array(repeating: 0, count: row + 1 - checkFails.count)
        }
        if passed { checkPasses[row] &+= 1 } else { checkFails[row] &+= 1 }
    }

    /// The rows counted in this window, named.
    func checkTallies(_ labels: ResponseLabels) -> [CheckTally]? {
        var tallies: [CheckTally] = []
        for row in checkPasses.indices where row < labels.checkRows.count && checkPasses[row] &+ checkFails[row] > 0 {
            let label = labels.checkRows[row]
            tallies.append(
                CheckTally(
                    method: label.endpoint.method, name: label.endpoint.name, check: label.check,
                    passes: checkPasses[row], fails: checkFails[row]))
        }
        return tallies.isEmpty ? nil : tallies
    }

    /// Empties the window for reuse. An endpoint used in this window keeps its histogram pages, so
    /// steady state allocates nothing; one unused for a whole window gives them back (cold).
    func clear() {
        for i in requests.indices {
            requests[i] = 0
            failures[i] = 0
            bytes[i] = 0
            latency[i].releaseIfEmpty()
            serviceTime[i].releaseIfEmpty()
            lag[i].releaseIfEmpty()
            latency[i].reset()
            serviceTime[i].reset()
            lag[i].reset()
            if !failureReasons[i].isEmpty { failureReasons[i].removeAll(keepingCapacity: true) }
        }
        phases.clear()
        dropped = 0
        skipped = 0
        for i in checkPasses.indices {
            checkPasses[i] = 0
            checkFails[i] = 0
        }
        users = 0
        newConnections = 0
        cpuMicros = 0
        wallMicros = 0
    }
}
