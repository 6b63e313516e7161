import Glibc
import Protocol

/// The memory a run will need, worked out from its plan before anything is allocated, and the
/// share of this node's memory it may take. A plan past it is refused with the numbers (users,
/// iterations in flight, endpoints) instead of growing until the kernel kills the process.
public struct RunBudget: Sendable, Equatable {
    /// One virtual user: its libcurl easy handle with a 4 KiB receive buffer, its render buffers
    /// and its connection. Measured at 12.8 KiB per extra user (README, benchmarks); rounded up.
    public static let bytesPerUser: UInt64 = 16 << 10
    /// One endpoint: per engine thread, the latency and service-time pages and the timing-phase counts
    /// (4.7 KiB, `PhaseWindow`) of the windows in circulation (about three: filling, handed over, spare),
    /// and the run totals' pages and phase counts. Measured by `EndpointMemoryTests` for a spread of
    /// latencies (43 KB per thread with phases, 29 KB before them); rounded up.
    public static let bytesPerEndpoint: UInt64 = 64 << 10
    public static let bytesPerEndpointPerThread: UInt64 = 48 << 10
    /// What a run costs whatever its size: threads, multi handles, the controller.
    public static let bytesPerRun: UInt64 = 16 << 20
    /// The share of the node's memory one run may plan to use.
    public static let memoryShare = 0.5

    public var users: UInt64
    public var endpoints: UInt64
    public var threads: UInt64
    /// Bytes this node allows a run (a share of its memory).
    public var allowedBytes: UInt64
    /// Bytes of the node's memory the allowance is a share of.
    public var nodeBytes: UInt64

    /// The budget of `plan` on `threads` engine threads on a node with `nodeBytes` of memory.
    /// Users are the most the plan can have at once: the closed model's users, stage targets and
    /// warm-up level (this node's slice of them), or the open model's `max_in_flight`.
    public init(plan: Plan, threads: Int, nodeBytes: UInt64 = RunBudget.nodeMemory()) {
        var peak: UInt64 = 0
        if plan.isOpenModel {
            peak = UInt64(max(0, plan.maxInFlight))
        } else {
            if plan.stages.isEmpty || plan.usersGiven { peak = UInt64(max(0, plan.users)) }
            let levels = plan.stages.map(\.target) + [plan.warmup == nil ? 0 : plan.warmupLevel]
            let slice = plan.share?.stageSlice ?? .whole
            for level in levels where level > 0 {
                // This node's slice of a fleet level; NaN and infinities count as the most.
                let share = level.isFinite ? level * slice.fraction : .infinity
                peak = max(peak, share.isNaN ? .max : UInt64(saturating: share.rounded(.up)))
            }
        }
        users = peak
        endpoints = UInt64(plan.endpoints.count)
        self.threads = UInt64(max(1, threads))
        self.nodeBytes = nodeBytes
        allowedBytes = UInt64(saturating: Double(nodeBytes) * RunBudget.memoryShare)
    }

    public var userBytes: UInt64 { users.saturatingMultiply(Self.bytesPerUser) }
    public var endpointBytes: UInt64 {
        endpoints.saturatingMultiply(
            Self.bytesPerEndpoint.saturatingAdd(threads.saturatingMultiply(Self.bytesPerEndpointPerThread)))
    }
    public var neededBytes: UInt64 { Self.bytesPerRun.saturatingAdd(userBytes).saturatingAdd(endpointBytes) }

    /// The most users (or iterations in flight) that fit beside the rest of this run.
    public var maxUsers: Int {
        let left = allowedBytes - min(allowedBytes, Self.bytesPerRun.saturatingAdd(endpointBytes))
        return Int(min(left / Self.bytesPerUser, UInt64(UserSchedule.maxUsers)))
    }

    /// Throws when the run needs more than this node allows, naming what to change.
    public func check(openModel: Bool) throws(RunBudgetError) {
        guard neededBytes > allowedBytes else { return }
        let allowed = "more than the \(Self.format(allowedBytes)) this node allows (half of its memory)"
        if userBytes >= endpointBytes {
            let what = openModel ? "max_in_flight: \(users) iterations in flight" : "users: \(users) users"
            let fix = openModel ? "use a lower max_in_flight or more nodes" : "use fewer users or more nodes"
            throw RunBudgetError(
                field: openModel ? "max_in_flight" : "users", neededBytes: neededBytes,
                allowedBytes: allowedBytes,
                description: "\(what) need about \(Self.format(neededBytes)), \(allowed); \(fix)")
        }
        throw RunBudgetError(
            field: "endpoints", neededBytes: neededBytes, allowedBytes: allowedBytes,
            description: "\(endpoints) endpoints need about \(Self.format(neededBytes)) for their "
                + "statistics, \(allowed); use fewer distinct requests or more nodes")
    }

    /// This node's memory: physical memory, or the cgroup's limit when it is lower.
    public static func nodeMemory() -> UInt64 {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
        var bytes = pages > 0 && size > 0 ? UInt64(pages).saturatingMultiply(UInt64(size)) : 1 << 30
        if let limit = cgroupLimit(), limit < bytes { bytes = limit }
        return bytes
    }

    /// cgroup v2's `memory.max` of this process, when it is a number.
    private static func cgroupLimit() -> UInt64? {
        guard let file = fopen("/sys/fs/cgroup/memory.max", "r") else { return nil }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 64)
        guard fgets(&line, Int32(line.count), file) != nil else { return nil }
        let text = String(decoding: line.prefix { $0 != 0 && $0 != 10 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return UInt64(text)
    }

    /// Bytes for people: "3.6 GB", "512 MB" (decimal units, one decimal below 10).
    static func format(_ bytes: UInt64) -> String {
        let units = ["bytes", "KB", "MB", "GB", "TB", "PB", "EB"]
        var value = Double(bytes), unit = 0
        while value >= 1000 && unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        if unit == 0 { return "\(bytes) bytes" }
        let shown = value < 10 ? (value * 10).rounded() / 10 : value.rounded()
        return shown == shown.rounded() ? "\(Int(shown)) \(units[unit])" : "\(shown) \(units[unit])"
    }
}

/// A run refused before it started because it would not fit in this node's memory.
public struct RunBudgetError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The plan field to change: `users`, `max_in_flight` or `endpoints`.
    public let field: String
    public let neededBytes: UInt64
    public let allowedBytes: UInt64
    /// e.g. "users: 10000000 users need about 164 GB, more than the 8 GB this node allows (half of
    /// its memory); use fewer users or more nodes".
    public let description: String
}
