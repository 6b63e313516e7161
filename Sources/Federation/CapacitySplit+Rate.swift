import Protocol

/// One worker's part of an open-model run.
public struct RateShare: Sendable, Equatable {
    /// Iterations started per second.
    public var rate: Double
    /// Most iterations in flight at once (at least 1, at most the worker's user limit).
    public var maxInFlight: Int

    public init(rate: Double, maxInFlight: Int) {
        self.rate = rate
        self.maxInFlight = maxInFlight
    }
}

extension CapacitySplit {
    /// Each worker's part of the fleet's capacity, `cores × weight` over the sum: 0…1, adding up to 1.
    public static func fractions(among workers: [WorkerCapacity]) -> [NodeID: Double] {
        let total = workers.reduce(0) { $0 + $1.share }
        guard total > 0 else { return [:] }
        return Dictionary(uniqueKeysWithValues: workers.map { ($0.node, $0.share / total) })
    }

    /// Each worker's slice of a staged run's shape: its fraction, tiled in name order so the
    /// slices cover 0…1 exactly (see `LoadSlice`).
    public static func slices(among workers: [WorkerCapacity]) -> [NodeID: LoadSlice] {
        let sorted = workers.sorted { $0.node.rawValue < $1.node.rawValue }
        let fractions = fractions(among: sorted)
        let tiles = LoadSlice.tiling(sorted.map { fractions[$0.node] ?? 0 })
        return Dictionary(uniqueKeysWithValues: zip(sorted.map(\.node), tiles))
    }

    /// Splits an open model's arrival rate (and its in-flight cap) in proportion to capacity. The
    /// last worker in name order takes what the others leave, so the rates add up to `rate`.
    public static func split(
        rate: Double, maxInFlight: Int,
        among workers: [WorkerCapacity]
    ) throws(SplitError) -> [NodeID: RateShare] {
        guard !workers.isEmpty else {
            throw SplitError(
                description: "no workers are connected: start loadd on the load nodes with `master:` set to this node")
        }
        let sorted = workers.sorted { $0.node.rawValue < $1.node.rawValue }
        guard sorted.contains(where: { $0.share > 0 }) else {
            throw SplitError(description: "every worker has weight 0: no worker may take load")
        }
        let fractions = fractions(among: sorted)
        let caps = largestRemainder(maxInFlight, weights: sorted.map(\.share))
        let last = sorted.last { $0.share > 0 }!.node
        var given = 0.0
        var result: [NodeID: RateShare] = [:]
        for (worker, cap) in zip(sorted, caps) {
            let part = worker.node == last ? max(0, rate - given) : rate * (fractions[worker.node] ?? 0)
            if worker.node != last { given += part }
            result[worker.node] = RateShare(rate: part, maxInFlight: max(1, min(cap, worker.limit)))
        }
        return result
    }
}
