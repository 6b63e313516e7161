import Engine
import Federation
import Protocol

extension FleetDriver {
    /// The fleet's merged figures; before the master has a run, the driver's empty summary.
    func snapshotWithBuckets() -> (summary: RunSummary, buckets: [EndpointBuckets]) {
        master.snapshotWithBuckets() ?? (summary: snapshot(), buckets: [])
    }
}

extension WorkerShareDriver {
    /// This worker's own share of the fleet run.
    func snapshotWithBuckets() -> (summary: RunSummary, buckets: [EndpointBuckets]) {
        engine.snapshotWithBuckets()
    }
}
