import Foundation
import Protocol

/// Decodes request bodies strictly. `JSONDecoder` ignores keys it does not know, so a typo such as
/// `"user": 500` would silently start a run with the scenario's users; the body is therefore read as
/// plain JSON first and every key checked against the fields the request type declares.
enum StrictJSON {
    /// The keys a JSON object may hold, and for keys holding an object, what that object may hold.
    struct Shape: Sendable {
        var fields: [String: Shape?]

        init(_ fields: [String: Shape?]) {
            self.fields = fields
        }

        static func flat(_ keys: [String]) -> Shape {
            Shape(Dictionary(uniqueKeysWithValues: keys.map { ($0, Shape?.none) }))
        }
    }

    /// Decodes `type` from `body` after checking it is a JSON object of `shape`.
    /// - Throws: `.invalid` saying what is wrong and where (`overrides.users`).
    static func decode<T: Decodable>(_ type: T.Type, from body: [UInt8], shape: Shape) throws -> T {
        let data = Data(body)
        try check(data, shape: shape)
        do {
            return try WireJSON.decode(type, from: data)
        } catch let error as DecodingError {
            throw ControlError(.invalid, explain(error))
        }
    }

    /// Accepts an empty body or `{}`, for POSTs that take no parameters.
    static func expectEmpty(_ body: [UInt8]) throws {
        guard !body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) else { return }
        try check(Data(body), shape: Shape([:]))
    }

    private static func check(_ data: Data, shape: Shape) throws {
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw ControlError(
                .invalid, "request body is not valid JSON",
                details: ["send a JSON object with Content-Type: application/json"])
        }
        guard let object = parsed as? [String: Any] else {
            throw ControlError(.invalid, "request body must be a JSON object")
        }
        var unknown: [String] = []
        collectUnknown(object, shape: shape, path: "", into: &unknown)
        guard unknown.isEmpty else {
            let names = unknown.map { "'\($0)'" }.joined(separator: ", ")
            throw ControlError(
                .invalid, "unknown field\(unknown.count == 1 ? "" : "s") \(names) in request body",
                details: ["allowed fields: " + describe(shape, path: "").joined(separator: ", ")])
        }
    }

    private static func collectUnknown(
        _ object: [String: Any], shape: Shape, path: String, into unknown: inout [String]
    ) {
        for key in object.keys.sorted() {
            let field = path.isEmpty ? key : "\(path).\(key)"
            guard let nested = shape.fields[key] else {
                unknown.append(field)
                continue
            }
            // A wrong type here (say a string for an object) is left for the decoder to name.
            if let nested, let child = object[key] as? [String: Any] {
                collectUnknown(child, shape: nested, path: field, into: &unknown)
            }
        }
    }

    private static func describe(_ shape: Shape, path: String) -> [String] {
        shape.fields.keys.sorted().flatMap { key -> [String] in
            let field = path.isEmpty ? key : "\(path).\(key)"
            guard let nested = shape.fields[key] ?? nil else { return [field] }
            return describe(nested, path: field)
        }
    }

    private static func explain(_ error: DecodingError) -> String {
        let problem = DecodingProblem(error)
        switch problem.kind {
        case .wrongType: return "field '\(problem.location)': expected \(problem.expected ?? "another type")"
        case .null: return "field '\(problem.location)' must not be null: expected \(problem.expected ?? "a value")"
        case .missingKey: return "missing field '\(problem.location)'"
        case .corrupted: return "field '\(problem.location)': \(problem.detail)"
        }
    }
}
