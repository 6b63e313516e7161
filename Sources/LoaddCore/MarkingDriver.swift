import Engine
import Foundation
import Protocol
import Synchronization

/// Wraps a run's driver to keep the run's marks beside it and put them into every summary it hands
/// out (live, stored, final), so no reader of a summary needs to know where marks live. A fleet's
/// master wraps its `FleetDriver`: the mark is the master's, the workers never see it.
final class MarkingDriver: RunDriver {
    let inner: any RunDriver
    private let marks = Mutex<[RunMark]>([])
    /// The run's second 0 on the wall clock: the engine started just before this driver was made.
    private let startUnixTime: Double

    init(_ inner: any RunDriver, startUnixTime: Double = Date().timeIntervalSince1970) {
        self.inner = inner
        self.startUnixTime = startUnixTime
    }

    var plan: Plan { inner.plan }

    /// Adds a mark stamped now. - Throws: `.invalid` for bad text, `.conflict` when the run holds
    /// `RunMark.maxPerRun` already.
    func mark(_ text: String, now: Double = Date().timeIntervalSince1970) throws -> RunMark {
        if let problem = RunMark.problem(text: text) { throw ControlError(.invalid, problem) }
        let mark = RunMark(
            text: text, unixTime: (now * 1000).rounded() / 1000,
            elapsedS: (max(0, now - startUnixTime) * 1000).rounded() / 1000)
        return try marks.withLock { list in
            guard list.count < RunMark.maxPerRun else {
                throw ControlError(
                    .conflict,
                    "this run has \(list.count) marks, the most a run keeps "
                        + "(marks per run: \(RunMark.maxPerRun))")
            }
            list.append(mark)
            return mark
        }
    }

    /// The marks so far, for the run's resume record.
    var allMarks: [RunMark] { marks.withLock { $0 } }

    /// Puts back the marks of a run a previous daemon saved.
    func restore(_ saved: [RunMark]) {
        marks.withLock { $0 = Array(saved.prefix(RunMark.maxPerRun)) }
    }

    func snapshot() -> RunSummary { withMarks(inner.snapshot()) }
    func snapshotWithBuckets() -> (summary: RunSummary, buckets: [EndpointBuckets]) {
        let (summary, buckets) = inner.snapshotWithBuckets()
        return (withMarks(summary), buckets)
    }
    func finished() async -> RunSummary { withMarks(await inner.finished()) }
    func setUsers(_ users: Int, spawnRate: Double?) throws { try inner.setUsers(users, spawnRate: spawnRate) }
    func setRate(_ rate: Double) throws { try inner.setRate(rate) }
    func resetStats() throws { try inner.resetStats() }
    func stop(failure: String?) throws { try inner.stop(failure: failure) }

    private func withMarks(_ summary: RunSummary) -> RunSummary {
        let list = marks.withLock { $0 }
        guard !list.isEmpty else { return summary }
        var marked = summary
        marked.marks = list
        marked.slowPeriods = summary.slowPeriods.map { SlowPeriod.withNearestMarks($0, list) }
        return marked
    }
}
