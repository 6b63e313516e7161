import Testing

@testable import Engine

@Suite struct TemplateParserTests {
    static let scope = TemplateScope(vars: ["deviceid", "token"], columns: ["email", "team"])

    @Test(arguments: [
        ("/plain/path", [TemplatePart.literal(Array("/plain/path".utf8))]),
        ("{{uuid}}", [.uuid]),
        ("t={{now}}&ms={{ now_ms }}", [.literal(Array("t=".utf8)), .now, .literal(Array("&ms=".utf8)), .nowMillis]),
        ("{{random_int -5 10}}", [.randomInt(-5, 10)]),
        ("{{deviceid}}/{{vars.token}}", [.variable(0), .literal(Array("/".utf8)), .variable(1)]),
        ("{{data.team}}:{{data.email}}", [.data(1), .literal(Array(":".utf8)), .data(0)]),
        ("a } b }} c", [.literal(Array("a } b }} c".utf8))]),
        ("", []),
    ])
    func templatesSplitIntoParts(text: String, parts: [TemplatePart]) {
        let (parsed, problems) = TemplateParser.parse(text, scope: Self.scope)
        #expect(problems.isEmpty)
        #expect(parsed == parts)
    }

    @Test(arguments: [
        ("{{uuidd}}", "did you mean 'uuid'?"),
        ("{{deviceidd}}", "did you mean 'deviceid'?"),
        ("{{email}}", "did you mean 'data.email'?"),
        ("{{data.tema}}", "the data file has no column 'tema'"),   // never a suggestion from the file's header
        ("{{random_int 5 1}}", "A <= B"),
        ("{{random_int 1}}", "random_int takes two whole numbers"),
        ("{{uuid 3}}", "only random_int takes arguments"),
        ("{{}}", "empty placeholder"),
        ("x {{now", "unclosed '{{'"),
    ])
    func badPlaceholdersAreExplained(text: String, message: String) {
        let (_, problems) = TemplateParser.parse(text, scope: Self.scope)
        #expect(problems.count == 1)
        #expect(problems.first?.contains(message) == true, "\(problems)")
    }

    @Test func everyBadPlaceholderInOneStringIsReported() {
        let (_, problems) = TemplateParser.parse("{{a}}-{{b}}", scope: Self.scope)
        #expect(problems.count == 2)
    }

    @Test func literalsAreEncodedAndAdjacentLiteralsMerged() {
        let (parts, _) = TemplateParser.parse(
            "a b{{uuid}}c&d", scope: Self.scope, encodeLiteral: BodyEncoder.formEncode)
        #expect(parts == [.literal(Array("a+b".utf8)), .uuid, .literal(Array("c%26d".utf8))])
    }

    @Test func varsMayUseDataAndBuiltinsButNotOtherVars() {
        var scope = Self.scope
        scope.allowsVars = false
        #expect(TemplateParser.parse("{{data.email}}-{{uuid}}", scope: scope).problems.isEmpty)
        #expect(
            TemplateParser.parse("{{token}}", scope: scope).problems.first?.contains("cannot use another var") == true)
    }

    @Test func varNamedLikeABuiltinIsRefused() {
        let errors = scenarioErrors("vars: { uuid: x }\ntasks: [{ request: GET / }]")
        #expect(errors.map(\.field) == ["vars.uuid"])
    }
}
