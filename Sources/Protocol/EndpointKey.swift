/// One row of the stats table: an HTTP method and the name requests are grouped under
/// (the path, or a `name:` override such as `/post/[id]`).
public struct EndpointKey: Codable, Sendable, Hashable, Comparable, CustomStringConvertible {
    public var method: String
    public var name: String

    public init(method: String, name: String) {
        self.method = method
        self.name = name
    }

    public var description: String { "\(method) \(name)" }

    public static func < (lhs: EndpointKey, rhs: EndpointKey) -> Bool {
        (lhs.name, lhs.method) < (rhs.name, rhs.method)
    }
}
