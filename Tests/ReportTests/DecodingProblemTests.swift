import Foundation
import Protocol
import Testing

/// `DecodingProblem`, the one reading of a `DecodingError`: its kind, where, and the type wanted in words.
@Suite struct DecodingProblemTests {
    private struct Row: Decodable {
        var name: String
        var count: Int
    }

    private struct Table: Decodable {
        var rows: [Row]
    }

    private func problem(_ json: String) -> DecodingProblem? {
        do {
            _ = try WireJSON.decode(Table.self, from: Data(json.utf8))
            return nil
        } catch let error as DecodingError {
            return DecodingProblem(error)
        } catch {
            return nil
        }
    }

    @Test func aMissingKeyEndsThePathAndItsParentSaysWhere() throws {
        let found = try #require(problem(#"{"rows": [{"name": "a", "count": 1}, {"name": "b"}]}"#))
        #expect(found.kind == .missingKey)
        #expect(found.location == "rows[1].count")
        #expect(found.parentLocation == "rows[1]")
        #expect(found.lastKey == "count")
    }

    @Test func aWrongTypeAndANullNameTheTypeWanted() throws {
        let wrong = try #require(problem(#"{"rows": [{"name": "a", "count": "many"}]}"#))
        #expect(wrong.kind == .wrongType && wrong.expected == "a whole number" && wrong.location == "rows[0].count")
        let null = try #require(problem(#"{"rows": [{"name": null, "count": 1}]}"#))
        #expect(null.kind == .null && null.expected == "text" && null.location == "rows[0].name")
    }

    @Test func textThatIsNotJSONIsCorruptedAtTheTop() throws {
        let bad = try #require(problem("{"))
        #expect(bad.kind == .corrupted && bad.location.isEmpty && !bad.detail.isEmpty)
    }
}
