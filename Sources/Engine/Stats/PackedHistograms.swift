import Protocol

/// One interval's endpoint rows' latency, service-time and lag histograms, still in the binary
/// `stats` frame's form: three per row, each `count [value_delta count]` in varints (values ascend,
/// each a delta from the previous). A fleet master keeps a report's histograms like this from the
/// frame's arrival to its second's close and decodes them then, straight into that second's sums
/// (`RunAggregator.absorb(_:packed:)`): 1,000 workers' rows were 2 million value/count pairs a second
/// written into fresh arrays, held, and read back; now they are copied bytes, read once.
///
/// The master checks the bytes when the frame arrives (`BinaryFrame.readPacked`: every varint,
/// ascending values, each number in `FieldRanges`), so a bad frame is refused at once. Reading
/// them never traps on anything: a malformed histogram ends the walk over its bytes.
public struct PackedHistograms: Sendable, Equatable {
    public private(set) var bytes: [UInt8] = []
    /// Where each histogram ends in `bytes`: three per row.
    private var ends: [Int] = []

    public init() {}

    /// Appends one histogram's bytes: a row's latency, service time, lag, in that order.
    public mutating func append(_ histogram: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: histogram)
        ends.append(bytes.count)
    }

    public var rowCount: Int { ends.count / 3 }

    /// Where row `row`'s three histograms are in `bytes`.
    public func ranges(ofRow row: Int) -> (latency: Range<Int>, serviceTime: Range<Int>, lag: Range<Int>) {
        let start = row == 0 ? 0 : ends[3 * row - 1]
        return (start..<ends[3 * row], ends[3 * row]..<ends[3 * row + 1], ends[3 * row + 1]..<ends[3 * row + 2])
    }

    /// Each row's histograms decoded (for a row that cannot wait for its second: it closed already).
    public func sparseRows() -> [(latency: SparseHistogram, serviceTime: SparseHistogram, lag: SparseHistogram)] {
        bytes.withUnsafeBytes { all in
            (0..<rowCount).map { row in
                let ranges = ranges(ofRow: row)
                func histogram(_ range: Range<Int>) -> SparseHistogram {
                    var at = 0
                    return SparseHistogram(packed: UnsafeRawBufferPointer(rebasing: all[range]), at: &at)
                }
                return (histogram(ranges.latency), histogram(ranges.serviceTime), histogram(ranges.lag))
            }
        }
    }

    /// The number of pairs a histogram at `at` holds (moving `at` past the count), or `nil` when
    /// the bytes left could not hold them (each pair takes at least two bytes).
    @inline(__always)
    static func pairCount(_ bytes: UnsafeRawBufferPointer, at: inout Int) -> Int? {
        guard case .value(let count) = BinaryVarint.read(bytes, at: &at), count <= UInt64(bytes.count - at) / 2 else {
            return nil
        }
        return Int(count)
    }
}

extension SparseHistogram {
    /// The histogram at `at` in `PackedHistograms`' form, moving `at` past it; malformed bytes end
    /// it (and move `at` to the end).
    init(packed bytes: UnsafeRawBufferPointer, at: inout Int) {
        self.init()
        guard let count = PackedHistograms.pairCount(bytes, at: &at) else {
            at = bytes.count
            return
        }
        values.reserveCapacity(count)
        counts.reserveCapacity(count)
        var previous: UInt64 = 0
        for _ in 0..<count {
            guard case .value(let delta) = BinaryVarint.read(bytes, at: &at),
                case .value(let number) = BinaryVarint.read(bytes, at: &at)
            else {
                at = bytes.count
                return
            }
            previous &+= delta
            values.append(previous)
            counts.append(number)
        }
    }
}

extension PagedHistogram {
    /// Adds the histogram at `at` in `PackedHistograms`' form, moving `at` past it: decoded and
    /// recorded in one pass, no arrays. Malformed bytes end the walk (`at` moves to the end).
    mutating func add(packed bytes: UnsafeRawBufferPointer, at: inout Int) {
        guard let count = PackedHistograms.pairCount(bytes, at: &at) else {
            at = bytes.count
            return
        }
        var previous: UInt64 = 0
        var broken = false
        add(pairs: count) { _ in
            guard !broken, case .value(let delta) = BinaryVarint.read(bytes, at: &at),
                case .value(let number) = BinaryVarint.read(bytes, at: &at)
            else {
                broken = true
                return (0, 0)
            }
            previous &+= delta
            return (previous, number)
        }
        if broken { at = bytes.count }
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
