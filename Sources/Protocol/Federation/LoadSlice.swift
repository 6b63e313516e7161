/// A fleet worker's part of a staged run's load shape: the span `[from, to)` of 0…1. At a fleet
/// level of `V` users it runs `⌊V·to⌋ − ⌊V·from⌋` of them. Workers' slices tile 0…1 end to end
/// (each `from` is the bit-identical `to` of the one before, the last ends at exactly 1), so the
/// counts telescope to exactly `⌊V⌋` — where scaling each worker's target by its fraction and
/// rounding down separately left up to one user per worker missing.
public struct LoadSlice: Codable, Sendable, Equatable {
    public let from: Double
    public let to: Double

    /// The whole shape: a node running alone.
    public static let whole = LoadSlice(from: 0, to: 1)

    /// `nil` unless `0 ≤ from ≤ to ≤ 1` (a slice from the wire is checked, not trusted).
    public init?(checking from: Double, _ to: Double) {
        guard from >= 0, from <= to, to <= 1 else { return nil }
        self.from = from
        self.to = to
    }

    init(from: Double, to: Double) {
        self.from = from
        self.to = to
    }

    public var fraction: Double { to - from }

    /// This slice's whole users of a fleet level of `level` users.
    public func users(of level: Double) -> Int {
        guard level > 0 else { return 0 }
        return Int((level * to).rounded(.down)) - Int((level * from).rounded(.down))
    }

    /// This slice's share of a fleet-wide rate (rates need no whole numbers).
    public func rate(of level: Double) -> Double { max(0, level) * fraction }

    /// Consecutive slices for `fractions` in order, tiling 0…1 exactly however the fractions round:
    /// the last positive one ends at 1, and a 0 fraction (a standby) gets an empty slice.
    public static func tiling(_ fractions: [Double]) -> [LoadSlice] {
        let last = fractions.lastIndex { $0 > 0 }
        var slices: [LoadSlice] = []
        var from = 0.0
        for (i, fraction) in fractions.enumerated() {
            let to = i == last ? 1 : fraction > 0 ? min(1, from + fraction) : from
            slices.append(LoadSlice(from: from, to: to))
            from = to
        }
        return slices
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let pair = try container.decode([Double].self)
        guard pair.count == 2, let slice = LoadSlice(checking: pair[0], pair[1]) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "expected [from, to] with 0 ≤ from ≤ to ≤ 1")
        }
        self = slice
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode([from, to])
    }
}
