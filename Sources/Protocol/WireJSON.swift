import Foundation

/// The one JSON form of everything that crosses a process boundary or lands in a run folder: the
/// control API both ways, `--json`, stored summaries and run records, and the federation's JSON
/// frames. Keys sorted (stable output, line-by-line diffs), slashes unescaped (endpoint names are
/// paths), and the non-finite numbers plain JSON cannot hold written as the strings `"inf"`, `"-inf"`
/// and `"nan"` — read back the same way by every reader, so no side can write what another refuses.
public enum WireJSON {
    public static func encoder(pretty: Bool = false) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting =
            pretty
            ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
            : [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    /// One encoder for callers that encode often (a federation master's heartbeats, every JSON
    /// frame): its options never change after this, and Foundation's encoder may be used from many
    /// threads at once.
    public static let sharedEncoder = encoder()

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }

    /// `value` as JSON. The project's wire types are plain values and the float strategy covers the
    /// only way they could fail to encode, so a failure is a programming error, not input.
    public static func data(_ value: some Encodable, pretty: Bool = false) -> Data {
        do {
            return try encoder(pretty: pretty).encode(value)
        } catch {
            preconditionFailure("cannot encode \(type(of: value)): \(error)")
        }
    }

    public static func decode<Value: Decodable>(_ type: Value.Type, from data: Data) throws -> Value {
        try decoder().decode(type, from: data)
    }
}
