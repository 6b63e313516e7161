import Protocol
import Report

extension RunManager {
    /// What `GET /metrics` renders: the node and its current run with fresh figures and latency
    /// buckets, or the last finished run's final ones until the next run starts.
    func metricsSource() -> MetricsSource {
        let current = settings
        var source = MetricsSource(
            node: current.node.rawValue, role: current.role.rawValue, version: Self.version,
            workers: fleetWorkerCount, run: nil, summary: nil, buckets: [])
        if let run = activeRun {
            let (summary, buckets) = run.engine.snapshotWithBuckets()
            cache(summary)
            source.run = run.info
            source.summary = summary
            source.buckets = buckets
        } else if let last = lastFinishedRun {
            source.run = last.info
            source.summary = last.summary
            source.buckets = lastFinishedBuckets?.run == last.info.id ? lastFinishedBuckets?.buckets ?? [] : []
        }
        return source
    }
}
