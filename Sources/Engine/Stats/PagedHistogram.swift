/// Latencies in microseconds with HdrHistogram's bucket layout at 3 significant digits (lowest
/// discernible value 1), kept in 64-count pages allocated on first use.
///
/// Why not a dense `Histogram`: one covering the hour a request may take holds 23,552 counts
/// (184 KiB at 64 bits), and a run keeps two per endpoint in every window of every engine thread
/// and in the totals: about 2 MiB per endpoint, so 10,000 endpoints did not fit in memory and
/// resetting them every second put the aggregation behind. A second of one endpoint's latencies
/// touches a few pages (256 bytes each at 32 bits), so an endpoint costs kilobytes, and nothing while
/// it is cold (`releaseIfEmpty`).
///
/// Values above `highestTrackable` are recorded at it and counted in `overRange`: no count is lost.
/// Counts saturate at `Count.max` and the total at `UInt64.max`, so merging hostile counts (a fleet
/// worker's frame may say 2^64 − 1) can never trap.
struct PagedHistogram<Count: FixedWidthInteger & UnsignedInteger & Sendable>: Sendable {
    /// 2^32 − 1 µs, about 71.6 minutes: above every request timeout we accept (an hour) plus the
    /// lateness a saturated open-model run can add. Covering it costs a page-table slot per 64
    /// counts (368 slots of 2 bytes), not memory for counts.
    static var highestTrackable: UInt64 { (1 << 32) - 1 }
    static var pageShift: Int { 6 }
    static var pageSize: Int { 1 << pageShift }
    static var pageCount: Int { (index(of: highestTrackable) >> pageShift) + 1 }

    /// Each page's ordinal in `storage` plus one, or 0 while the page was never touched; empty
    /// until the first record, so an unused histogram costs only its inline fields.
    private var table: [UInt16] = []
    private var storage: [Count] = []
    private(set) var totalCount: UInt64 = 0
    /// Values recorded above `highestTrackable` (they are counted at it).
    private(set) var overRange: UInt64 = 0
    private var minNonZeroValue = UInt64.max
    private var maxValue: UInt64 = 0
    private var recordedZero = false

    init() {}

    // MARK: HdrHistogram's layout (unit magnitude 0, sub-bucket count 2048)

    /// The counts index of `value`, as HdrHistogram's `countsIndexForValue` computes it.
    @inline(__always) static func index(of value: UInt64) -> Int {
        let bucket = 53 - (value | 2047).leadingZeroBitCount
        let subBucket = Int(truncatingIfNeeded: value >> UInt64(bucket))
        return ((bucket + 1) << 10) + subBucket - 1024
    }

    /// The lowest value of the bucket at `index` and the bucket's width.
    @inline(__always) static func range(at index: Int) -> (lowest: UInt64, width: UInt64) {
        var bucket = (index >> 10) - 1
        var subBucket = (index & 1023) + 1024
        if bucket < 0 {
            subBucket -= 1024
            bucket = 0
        }
        return (UInt64(subBucket) << UInt64(bucket), 1 << UInt64(bucket))
    }

    /// The highest value equivalent to `value`'s bucket: what `SparseHistogram` carries.
    static func highestEquivalent(_ value: UInt64) -> UInt64 {
        let (lowest, width) = range(at: index(of: Swift.min(value, highestTrackable)))
        return lowest + width - 1
    }

    // MARK: Recording

    /// Records `value` `count` times; the hot path allocates only when it touches a new page.
    @inline(__always) mutating func record(_ value: UInt64, count: Count = 1) {
        var value = value
        if value > Self.highestTrackable {
            value = Self.highestTrackable
            overRange = overRange.saturatingAdd(UInt64(count))
        }
        let index = Self.index(of: value)
        let page = index >> Self.pageShift
        if table.isEmpty { table = Array(repeating: 0, count: Self.pageCount) }
        var ordinal = Int(table[page])
        if ordinal == 0 {
            storage.append(contentsOf: repeatElement(0, count: Self.pageSize))   // no temporary array
            ordinal = storage.count >> Self.pageShift
            table[page] = UInt16(ordinal)
        }
        let slot = ((ordinal - 1) << Self.pageShift) + (index & (Self.pageSize - 1))
        let (sum, overflow) = storage[slot].addingReportingOverflow(count)
        storage[slot] = overflow ? .max : sum
        totalCount = totalCount.saturatingAdd(UInt64(count))
        if value > maxValue { maxValue = value }
        if value == 0 { recordedZero = true } else if value < minNonZeroValue { minNonZeroValue = value }
    }

    /// Records each `values[i]` `counts[i]` times, as `record` would one by one.
    mutating func add(values: [UInt64], counts: [UInt64]) {
        values.withUnsafeBufferPointer { values in
            counts.withUnsafeBufferPointer { counts in
                add(pairs: Swift.min(values.count, counts.count)) { (values[$0], counts[$0]) }
            }
        }
    }

    /// Records `n` (value, count) pairs from `pair` (called with 0, 1, … n − 1, once each), as
    /// `record` would one by one, in one pass that keeps the running figures in registers and
    /// looks a page up once per run of values in it (a sparse histogram's values ascend): a fleet
    /// master merges a row per worker and endpoint every second. Pairs with a count of 0 add nothing.
    @inline(__always)
    mutating func add(pairs n: Int, _ pair: (Int) -> (value: UInt64, count: UInt64)) {
        guard n > 0 else { return }
        if table.isEmpty { table = Array(repeating: 0, count: Self.pageCount) }
        var total = totalCount
        var over = overRange
        var lowest = minNonZeroValue
        var highest = maxValue
        var zero = recordedZero
        var lastPage = -1
        var base = 0
        for i in 0..<n {
            let (rawValue, rawCount) = pair(i)
            guard rawCount > 0 else { continue }
            let count = Count(truncatingIfNeeded: Swift.min(rawCount, UInt64(Count.max)))
            var value = rawValue
            if value > Self.highestTrackable {
                value = Self.highestTrackable
                over = over.saturatingAdd(UInt64(count))
            }
            let index = Self.index(of: value)
            let page = index >> Self.pageShift
            if page != lastPage {
                var ordinal = Int(table[page])
                if ordinal == 0 {
                    storage.append(contentsOf: repeatElement(0, count: Self.pageSize))
                    ordinal = storage.count >> Self.pageShift
                    table[page] = UInt16(ordinal)
                }
                lastPage = page
                base = (ordinal - 1) << Self.pageShift
            }
            let slot = base + (index & (Self.pageSize - 1))
            let (sum, overflow) = storage[slot].addingReportingOverflow(count)
            storage[slot] = overflow ? .max : sum
            total = total.saturatingAdd(UInt64(count))
            if value > highest { highest = value }
            if value == 0 { zero = true } else if value < lowest { lowest = value }
        }
        (totalCount, overRange, minNonZeroValue, maxValue, recordedZero) = (total, over, lowest, highest, zero)
    }

    /// Adds `other` bucket by bucket (counts saturate).
    mutating func add<Other>(_ other: PagedHistogram<Other>) {
        other.forEachBucket { value, count in
            record(value, count: Count(truncatingIfNeeded: Swift.min(count, UInt64(Count.max))))
        }
        overRange = overRange.saturatingAdd(other.overRange)
    }

    /// Zeroes the counts and keeps the pages, so a histogram in use allocates nothing again.
    mutating func reset() {
        guard totalCount > 0 else { return }
        for i in storage.indices { storage[i] = 0 }
        totalCount = 0
        overRange = 0
        minNonZeroValue = .max
        maxValue = 0
        recordedZero = false
    }

    /// Frees the pages when nothing was recorded since the last reset: a cold endpoint gives its
    /// memory back and costs only the inline fields.
    mutating func releaseIfEmpty() {
        guard totalCount == 0, !table.isEmpty else { return }
        table = []
        storage = []
    }

    // MARK: Reading

    /// Calls `body` with each non-empty bucket's highest equivalent value and count, ascending.
    func forEachBucket(_ body: (UInt64, UInt64) -> Void) {
        guard totalCount > 0 else { return }
        for page in table.indices where table[page] != 0 {
            let offset = (Int(table[page]) - 1) << Self.pageShift
            for i in 0..<Self.pageSize where storage[offset + i] != 0 {
                let (lowest, width) = Self.range(at: (page << Self.pageShift) + i)
                body(lowest + width - 1, UInt64(storage[offset + i]))
            }
        }
    }

    /// Bytes of heap this histogram holds (for the memory budget and its test).
    var heapBytes: Int {
        guard !table.isEmpty else { return 0 }
        // Plus each array's header and malloc's bookkeeping (about 48 bytes each).
        return table.capacity * MemoryLayout<UInt16>.stride + storage.capacity * MemoryLayout<Count>.stride + 96
    }

    /// The lowest value recorded (0 when empty or when a 0 was recorded), as HdrHistogram's `min`.
    var min: UInt64 {
        guard totalCount > 0, !recordedZero, minNonZeroValue != .max else { return 0 }
        return minNonZeroValue
    }

    /// The highest value recorded, at its bucket's precision (HdrHistogram's `max`).
    var max: UInt64 { maxValue == 0 ? 0 : Self.highestEquivalent(maxValue) }

    /// HdrHistogram's `valueAtPercentile` for several percentiles (ascending) and its `mean`, in one
    /// walk over the buckets: a summary asks for eleven figures, every second, for every endpoint.
    func percentilesAndMean(_ percentiles: [Double]) -> (values: [UInt64], mean: Double) {
        var results = [UInt64](repeating: 0, count: percentiles.count)
        guard totalCount > 0 else { return (results, 0) }
        // The same count targets valueAtPercentile computes (one ulp down, rounded up, at least 1).
        let targets = percentiles.map { percentile -> UInt64 in
            let clamped = Swift.min(Swift.max(percentile.nextDown, 0), 100)
            return Swift.max(1, UInt64(saturating: (clamped * Double(totalCount) / 100).rounded(.up)))
        }
        var next = 0
        var running: UInt64 = 0
        var total = 0.0
        let lowest = min
        forEachBucket { value, count in
            running = running.saturatingAdd(count)
            let (low, width) = Self.range(at: Self.index(of: value))
            total += Double(low + width / 2) * Double(count)
            while next < targets.count && running >= targets[next] {
                results[next] = Swift.max(Swift.min(value, maxValue), lowest)   // as valueAtPercentile clamps
                next += 1
            }
        }
        for (i, percentile) in percentiles.enumerated() {
            if percentile == 0 { results[i] = lowest } else if percentile >= 100 || next <= i { results[i] = maxValue }
        }
        return (results, total / Double(totalCount))
    }
}

typealias LatencyHistogram = PagedHistogram<UInt64>
/// A window's histogram: one engine thread's second of one endpoint cannot count 2^32 requests.
typealias WindowHistogram = PagedHistogram<UInt32>
