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

        /// A row's latency, service-time and lag histograms in `PackedHistograms`' form.
        typealias PackedRow = (
            latency: UnsafeBufferPointer<UInt64>, serviceTime: UnsafeBufferPointer<UInt64>,
            lag: UnsafeBufferPointer<UInt64>
        )

        /// Holds `row`'s histograms: its own, or a copy of `packed` (the row's own then empty). The
        /// first packed row of an endpoint makes room for `reporters` like it.
        mutating func hold(_ row: EndpointInterval, packed: PackedRow?, slot: Int, reporters: Int) {
            if pending.count <= slot { pending += Array(repeating: HeldRows(), count: slot + 1 - pending.count) }
            if let packed {
                pending[slot].hold(packed, reporters: reporters)
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
    /// and a fleet master's, still in `PackedHistograms`' form, each kind of histogram in one run.
    struct HeldRows {
        var sparse: [(latency: SparseHistogram, serviceTime: SparseHistogram, lag: SparseHistogram?)] = []
        var packedLatency: [UInt64] = []
        var packedServiceTime: [UInt64] = []
        var packedLag: [UInt64] = []

        /// A packed row has a word of latency at least (its pair count).
        var isEmpty: Bool { sparse.isEmpty && packedLatency.isEmpty }

        mutating func hold(_ row: OpenSecond.PackedRow, reporters: Int) {
            if packedLatency.isEmpty {
                // Room for every reporter's row like this one (growing by doubling copied each run
                // twice over), up to 512 KiB a run: one large row makes no large reservation.
                let rows = max(1, reporters)
                func room(_ words: Int) -> Int { words > (1 << 16) / rows ? 1 << 16 : words * rows }
                packedLatency.reserveCapacity(room(row.latency.count))
                packedServiceTime.reserveCapacity(room(row.serviceTime.count))
                packedLag.reserveCapacity(room(row.lag.count))
            }
            packedLatency.append(contentsOf: row.latency)
            packedServiceTime.append(contentsOf: row.serviceTime)
            packedLag.append(contentsOf: row.lag)
        }

        /// Adds every row: latencies into `latency` (the rows' sum, which then joins the endpoint's
        /// totals and the second's histogram), service times and lags into `endpoint`'s totals.
        func add(latency: inout LatencyHistogram, into endpoint: inout EndpointTotals) {
            for row in sparse {
                row.latency.add(into: &latency)
                row.serviceTime.add(into: &endpoint.serviceTime)
                row.lag?.add(into: &endpoint.lag)
            }
            // One kind of histogram at a time over every row: its pages stay in cache while 1,000
            // workers' rows land in them.
            Self.add(packedLatency, into: &latency)
            Self.add(packedServiceTime, into: &endpoint.serviceTime)
            Self.add(packedLag, into: &endpoint.lag)
        }

        private static func add(_ packed: [UInt64], into histogram: inout LatencyHistogram) {
            packed.withUnsafeBufferPointer { words in
                var at = 0
                while at < words.count { histogram.add(packed: words, at: &at) }
            }
        }
    }
}
