import Protocol

/// One interval's endpoint rows' latency, service-time and lag histograms as a fleet master holds
/// them from a `stats` frame's arrival to its second's close: three per row, each a word with its
/// pair count, then a word per pair, `value << 32 | count` (both checked below 2^32 on arrival). The
/// close adds them straight into that second's sums (`RunAggregator.absorb(_:packed:)`): 1,000
/// workers' rows are 2 million value/count pairs a second, once written into fresh arrays per row,
/// held and read back; now one flat array per report, and no varint read twice.
///
/// The master checks every pair when the frame arrives (`BinaryFrame.readPacked`: every varint,
/// ascending values, each number in `FieldRanges`), so a bad frame is refused at once. Reading the
/// words never traps on anything: a count past the words left ends the walk.
public struct PackedHistograms: Sendable, Equatable {
    public private(set) var words: [UInt64] = []
    /// Where each histogram ends in `words`: three per row.
    private var ends: [Int] = []

    public init() {}

    /// Reads the histogram at the start of `bytes` as the binary frame carries it (`count
    /// [value_delta count]`, varints) and appends it: a row's latency, service time, lag, in that
    /// order. Checked as reading it and `FieldRanges` check a decoded one — well-formed varints,
    /// values ascending within `latencyMicros`, each count and the running total within `count` —
    /// else nothing is appended and the result is `nil`. Returns the bytes read and the total count.
    public mutating func append(varints bytes: UnsafeRawBufferPointer) -> (used: Int, total: UInt64)? {
        var at = 0
        guard case .value(let buckets) = BinaryVarint.read(bytes, at: &at), buckets <= UInt64(bytes.count - at) else {
            return nil
        }
        let (maxValue, maxCount) = (FieldRanges.latencyMicros.upperBound, FieldRanges.count.upperBound)
        let start = words.count
        words.append(contentsOf: repeatElement(0, count: 1 + Int(buckets)))
        let total: UInt64? = words.withUnsafeMutableBufferPointer { out in
            out[start] = buckets
            var previous: UInt64 = 0
            var total: UInt64 = 0
            for i in 0..<Int(buckets) {
                guard case .value(let delta) = BinaryVarint.read(bytes, at: &at),
                    case .value(let count) = BinaryVarint.read(bytes, at: &at)
                else { return nil }
                let (value, overflow) = previous.addingReportingOverflow(delta)
                guard !overflow, i == 0 || delta > 0, value <= maxValue, count <= maxCount else { return nil }
                total += count   // both below 2^32 here: cannot overflow
                guard total <= maxCount else { return nil }
                out[start + 1 + i] = value << 32 | count   // both below 2^32: one word
                previous = value
            }
            return total
        }
        guard let total else {
            words.removeLast(words.count - start)
            return nil
        }
        ends.append(words.count)
        return (at, total)
    }

    public var rowCount: Int { ends.count / 3 }

    /// Where row `row`'s three histograms are in `words`.
    public func ranges(ofRow row: Int) -> (latency: Range<Int>, serviceTime: Range<Int>, lag: Range<Int>) {
        let start = row == 0 ? 0 : ends[3 * row - 1]
        return (start..<ends[3 * row], ends[3 * row]..<ends[3 * row + 1], ends[3 * row + 1]..<ends[3 * row + 2])
    }

    /// Each row's histograms decoded (for a row that cannot wait for its second: it closed already).
    public func sparseRows() -> [(latency: SparseHistogram, serviceTime: SparseHistogram, lag: SparseHistogram)] {
        words.withUnsafeBufferPointer { all in
            (0..<rowCount).map { row in
                let ranges = ranges(ofRow: row)
                func histogram(_ range: Range<Int>) -> SparseHistogram {
                    var at = 0
                    return SparseHistogram(packed: UnsafeBufferPointer(rebasing: all[range]), at: &at)
                }
                return (histogram(ranges.latency), histogram(ranges.serviceTime), histogram(ranges.lag))
            }
        }
    }

    /// The number of pairs of the histogram at `at` (moving `at` past its count), or `nil` when the
    /// words left could not hold them.
    @inline(__always)
    static func pairCount(_ words: UnsafeBufferPointer<UInt64>, at: inout Int) -> Int? {
        guard at < words.count, words[at] <= UInt64(words.count - at - 1) else { return nil }
        at += 1
        return Int(words[at - 1])
    }
}

extension SparseHistogram {
    /// The histogram at `at` in `PackedHistograms`' form, moving `at` past it; a malformed one ends
    /// it (and moves `at` to the end).
    init(packed words: UnsafeBufferPointer<UInt64>, at: inout Int) {
        self.init()
        guard let count = PackedHistograms.pairCount(words, at: &at) else {
            at = words.count
            return
        }
        values.reserveCapacity(count)
        counts.reserveCapacity(count)
        for word in words[at..<(at + count)] {
            values.append(word >> 32)
            counts.append(word & 0xFFFF_FFFF)
        }
        at += count
    }
}

extension PagedHistogram {
    /// Adds the histogram at `at` in `PackedHistograms`' form, moving `at` past it: recorded in one
    /// pass, as `add(values:counts:)` would. A malformed one ends the walk (`at` moves to the end).
    mutating func add(packed words: UnsafeBufferPointer<UInt64>, at: inout Int) {
        guard let count = PackedHistograms.pairCount(words, at: &at) else {
            at = words.count
            return
        }
        let first = at
        add(pairs: count) { i in
            let word = words[first + i]
            return (word >> 32, word & 0xFFFF_FFFF)
        }
        at += count
    }
}

extension IntervalStats {
    /// This interval with its rows' histograms read from `packed` (one row there per endpoint row).
    public func unpacking(_ packed: PackedHistograms) -> IntervalStats {
        var interval = self
        for (i, row) in packed.sparseRows().enumerated() {
            interval.endpoints[i].latency = row.latency
            interval.endpoints[i].serviceTime = row.serviceTime
            interval.endpoints[i].lag = row.lag.isEmpty ? nil : row.lag
        }
        return interval
    }
}
