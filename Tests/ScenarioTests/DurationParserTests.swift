import Testing

@testable import Engine

@Suite struct DurationParserTests {
    @Test(arguments: [
        ("500ms", Duration.milliseconds(500)), ("15s", .seconds(15)), ("2m", .seconds(120)),
        ("1h30m", .seconds(5_400)), ("1.5s", .milliseconds(1_500)), ("90", .seconds(90)),
        ("0.25", .milliseconds(250)), ("250us", .microseconds(250)), ("1m30s", .seconds(90)),
        ("2h", .seconds(7_200)), ("0s", .zero), (" 3s ", .seconds(3)),
    ])
    func wellFormedDurationsParse(text: String, expected: Duration) {
        #expect(DurationParser.parse(text) == expected)
    }

    @Test(arguments: [
        "", "s", "-1s", "1.2.3s", "10 s", "5x", "1e3", "inf", "2 minutes", "1h 30m", ".", "3ms5", "1000000000h",
    ])
    func malformedDurationsAreRefused(text: String) {
        #expect(DurationParser.parse(text) == nil)
    }
}
