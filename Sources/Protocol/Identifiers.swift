/// Identifies one run on a node or fleet. Sortable: ids are UTC timestamps plus a random suffix.
/// Encoded as a bare string: `Codable` comes from the standard library's `RawRepresentable` default.
public struct RunID: RawRepresentable, Codable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
}

/// Names one node (daemon) in a fleet. Encoded as a bare string, like `RunID`.
public struct NodeID: RawRepresentable, Codable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
}
