import Protocol

extension RunAggregator {
    /// One second of the run while its reporters' intervals arrive. Counts join the totals at once;
    /// histograms wait here, grouped by endpoint, and are merged when the second closes: merging
    /// one endpoint's rows from every reporter in a row keeps that endpoint's histogram in cache,
    /// where merging report by report touched every endpoint's histogram for each report (with
    /// 200 workers, cache misses were most of a master's merge cost). Percentiles lag the counts
    /// by at most the second still open.
    struct OpenSecond {
        var reporters = 0
        var requests: UInt64 = 0
        var failures: UInt64 = 0
        var users = 0
        var dropped: UInt64 = 0
        var cpuMicros: UInt64 = 0
        var wallMicros: UInt64 = 0
        var threads = 0
        var bytes: UInt64 = 0
        var newConnections: UInt64 = 0
        /// Per endpoint slot, the rows' histograms still to merge.
        var pending: [HeldRows] = []
        /// Per endpoint slot, this second's counts (for `RecentSeconds`).
        var slotRequests: [UInt64] = []
        var slotFailures: [UInt64] = []

        /// Holds `row`'s histograms: its own, or `packed` (its bytes in `PackedHistograms`' form, the
        /// row's own then empty).
        mutating func hold(_ row: EndpointInterval, packed: UnsafeRawBufferPointer?, slot: Int) {
            if pending.count <= slot { pending += Array(repeating: HeldRows(), count: slot + 1 - pending.count) }
            if let packed {
                pending[slot].packed.append(contentsOf: packed)
            } else {
                pending[slot].sparse.append((row.latency, row.serviceTime, row.lag))
            }
            if slotRequests.count <= slot {
                slotRequests += Array(repeating: 0, count: slot + 1 - slotRequests.count)
                slotFailures += Array(repeating: 0, count: slot + 1 - slotFailures.count)
            }
            slotRequests[slot] = slotRequests[slot].saturatingAdd(row.requests)
            slotFailures[slot] = slotFailures[slot].saturatingAdd(row.failures)
        }
    }

    /// One endpoint's rows of an open second: decoded ones (a local engine's, a JSON or test report's)
    /// and a fleet master's, still as the bytes their frame carried (`PackedHistograms`).
    struct HeldRows {
        var sparse: [(latency: SparseHistogram, serviceTime: SparseHistogram, lag: SparseHistogram?)] = []
        var packed: [UInt8] = []

        var isEmpty: Bool { sparse.isEmpty && packed.isEmpty }

        /// Adds every row: latencies into `latency` (the rows' sum, which then joins the endpoint's
        /// totals and the second's histogram), service times and lags into `endpoint`'s totals.
        func add(latency: inout LatencyHistogram, into endpoint: inout EndpointTotals) {
            for row in sparse {
                row.latency.add(into: &latency)
                row.serviceTime.add(into: &endpoint.serviceTime)
                row.lag?.add(into: &endpoint.lag)
            }
            packed.withUnsafeBytes { bytes in
                var at = 0
                while at < bytes.count {
                    latency.add(packed: bytes, at: &at)
                    endpoint.serviceTime.add(packed: bytes, at: &at)
                    endpoint.lag.add(packed: bytes, at: &at)
                }
            }
        }
    }
}
