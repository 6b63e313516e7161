import Foundation
import Protocol
import Testing

/// Every process boundary reads what every other writes: the CLI once decoded without the
/// non-finite-number strategy the daemon encoded with, and `status --json` escaped `/` where
/// `report --json` did not.
@Suite struct WireJSONTests {
    struct Sample: Codable, Equatable {
        var name: String
        var values: [Double]
    }

    @Test func nonFiniteNumbersRoundTripAsTheirStrings() throws {
        let sample = Sample(name: "GET /api/v1/x", values: [.infinity, -.infinity, 1.5])
        let text = String(decoding: WireJSON.data(sample), as: UTF8.self)
        #expect(text == #"{"name":"GET /api/v1/x","values":["inf","-inf",1.5]}"#)
        let back = try WireJSON.decode(Sample.self, from: Data(text.utf8))
        #expect(back == sample)
        let nan = try WireJSON.decode(Sample.self, from: Data(#"{"name":"n","values":["nan"]}"#.utf8))
        #expect(nan.values.first?.isNaN == true)
    }

    @Test func keysAreSortedAndSlashesStayReadableInBothForms() {
        let pretty = String(decoding: WireJSON.data(["b": "/x", "a": "/y"], pretty: true), as: UTF8.self)
        #expect(pretty == "{\n  \"a\" : \"/y\",\n  \"b\" : \"/x\"\n}")
        #expect(!String(decoding: WireJSON.data(["a": "/y"]), as: UTF8.self).contains("\\/"))
    }
}
