import Engine
import Protocol

/// What a worker offers to a split: its cores, a relative weight and its user limit.
public struct WorkerCapacity: Sendable, Equatable {
    public var node: NodeID
    public var cores: Int
    public var weight: Double
    /// Most users it can hold; 0 means no limit of its own.
    public var maxUsers: Int

    public init(node: NodeID, cores: Int, weight: Double = 1, maxUsers: Int = 0) {
        self.node = node
        self.cores = cores
        self.weight = weight
        self.maxUsers = maxUsers
    }

    /// The worker's claim on users: `cores × weight`, each clamped to its wire range (a weight that
    /// is not a finite number counts as 0), so sums over any fleet stay finite.
    var share: Double {
        let weight = weight.isFinite ? min(max(0, weight), FieldRanges.weight.upperBound) : 0
        return Double(min(max(cores, FieldRanges.cores.lowerBound), FieldRanges.cores.upperBound)) * weight
    }
    /// Its own limit, and never more than one `assign` frame may carry (`FieldRanges.users`).
    var limit: Int { min(maxUsers > 0 ? maxUsers : Int.max, FieldRanges.users.upperBound) }
}

/// One worker's part of a run.
public struct UserShare: Sendable, Equatable {
    public var users: Int
    /// Users per second; proportional to `users`, so every worker reaches its share at the same time.
    public var spawnRate: Double

    public init(users: Int, spawnRate: Double) {
        self.users = users
        self.spawnRate = spawnRate
    }
}

/// Why users cannot be split over the fleet.
public struct SplitError: Error, Equatable, CustomStringConvertible {
    public let description: String
}

/// Splits a run's users over workers in proportion to `cores × weight` by the largest-remainder
/// method, so the shares are whole and add up exactly to what was asked; a worker's `maxUsers`
/// caps its share and the excess goes to the others.
public enum CapacitySplit {
    public static func split(
        users: Int, spawnRate: Double, among workers: [WorkerCapacity]
    ) throws(SplitError) -> [NodeID: UserShare] {
        guard !workers.isEmpty else {
            throw SplitError(
                description: "no workers are connected: start loadd on the load nodes with `master:` set to this node")
        }
        // Sorted so that equal remainders are broken the same way on every call.
        var open = workers.sorted { $0.node.rawValue < $1.node.rawValue }
        guard open.contains(where: { $0.share > 0 }) else {
            throw SplitError(description: "every worker has weight 0: no worker may take users")
        }
        let capacity = open.reduce(0) { $0.saturatingAdd($1.share > 0 ? min($1.limit, users) : 0) }
        guard users <= capacity else {
            let limits = open.map { "\($0.node) \($0.maxUsers)" }.joined(separator: ", ")
            throw SplitError(
                description: "\(users) users exceed what the fleet can hold (\(capacity): \(limits)); "
                    + "add workers or raise their open-files limit")
        }
        var counts: [NodeID: Int] = [:]
        var left = users
        // Each round either places every remaining user or pins at least one worker to its cap.
        while true {
            let weighted = open.filter { $0.share > 0 }
            let shares = largestRemainder(left, weights: weighted.map(\.share))
            let over = zip(weighted, shares).filter { $0.1 > $0.0.limit }
            if over.isEmpty {
                for (worker, count) in zip(weighted, shares) { counts[worker.node] = count }
                break
            }
            for (worker, _) in over {
                counts[worker.node] = worker.limit
                left -= worker.limit
            }
            let pinned = Set(over.map(\.0.node))
            open.removeAll { pinned.contains($0.node) }
        }
        return rates(counts, users: users, spawnRate: spawnRate, workers: workers)
    }

    /// `total` in whole parts proportional to `weights`: floors first, then one more to the largest
    /// fractional parts (earlier index on a tie).
    static func largestRemainder(_ total: Int, weights: [Double]) -> [Int] {
        let sum = weights.reduce(0, +)
        guard total > 0, sum > 0 else { return weights.map { _ in 0 } }
        guard sum.isFinite else { return weights.map { _ in 0 } }
        let quotas = weights.map { Double(total) * $0 / sum }
        var parts = quotas.map { Int(wholePartOf: $0) }
        var missing = total.saturatingSubtract(parts.reduce(0) { $0.saturatingAdd($1) })
        let order = quotas.indices.sorted {
            (quotas[$0] - Double(parts[$0]), -$0) > (quotas[$1] - Double(parts[$1]), -$1)
        }
        var next = 0
        // Rounding may leave `missing` at most weights.count; the modulo keeps it safe regardless.
        while missing > 0 {
            parts[order[next % order.count]] += 1
            missing -= 1
            next += 1
        }
        return parts
    }

    /// Spawn rates in proportion to the users each got; the last worker with users takes what the
    /// others leave, so the rates add up to `spawnRate`. A worker with no users still gets a
    /// nominal rate (its capacity share) to use if later asked for users.
    private static func rates(
        _ counts: [NodeID: Int], users: Int, spawnRate: Double,
        workers: [WorkerCapacity]
    ) -> [NodeID: UserShare] {
        var result: [NodeID: UserShare] = [:]
        let totalShare = workers.reduce(0) { $0 + $1.share }
        let withUsers = workers.filter { (counts[$0.node] ?? 0) > 0 }.map(\.node).sorted { $0.rawValue < $1.rawValue }
        var given = 0.0
        for worker in workers {
            let count = counts[worker.node] ?? 0
            var rate: Double
            if count == 0 {
                rate = spawnRate * (totalShare > 0 ? max(worker.share, 1e-9) / totalShare : 1 / Double(workers.count))
            } else if worker.node == withUsers.last {
                continue
            } else {
                rate = spawnRate * Double(count) / Double(users)
                given += rate
            }
            result[worker.node] = UserShare(users: count, spawnRate: rate)
        }
        if let last = withUsers.last {
            result[last] = UserShare(users: counts[last] ?? 0, spawnRate: max(spawnRate - given, spawnRate * 1e-9))
        }
        return result
    }
}

extension Int {
    /// (Saturating add and subtract come from Engine's `Saturating.swift`.) The whole part of a quota: 0 for anything not a finite positive number, `Int.max` past it
    /// (where `Int(_:)` would trap).
    init(wholePartOf value: Double) {
        guard value.isFinite, value > 0 else { self = 0; return }
        self = value >= 9.2e18 ? .max : Int(value.rounded(.down))
    }
}
