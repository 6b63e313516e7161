import Protocol
import Testing

@testable import Engine

/// `data: { secret: [...] }` and what a plan holds secret: marked columns' cells, the columns an
/// `auth:` password reads (directly or through a var) and a literal `auth:` password.
@Suite struct SecretColumns {
    @Test func aMarkedColumnsCellsAreSecretAndOthersAreNot() throws {
        let plan = try loadScenario("data: { csv: users.csv, secret: [password] }\ntasks: [{ request: GET /x }]\n")
        #expect(plan.data?.secretColumnNames == ["password"])
        let secrets = plan.secrets
        #expect(secrets.redact("alice@example.com: correct horse, blue") == "alice@example.com: ***, blue")
        #expect(secrets.values.count == 3)
    }

    @Test func oneNameMayStandAlone() throws {
        let plan = try loadScenario("data: { csv: users.csv, secret: email }\ntasks: [{ request: GET /x }]\n")
        #expect(plan.data?.secretColumnNames == ["email"])
    }

    @Test func anAuthPasswordsColumnAndLiteralAreSecretWithoutMarking() throws {
        let plan = try loadScenario(
            """
            data: { csv: users.csv }
            vars: { pw: "{{data.email}}!" }
            tasks:
              - { request: GET /a, auth: { basic: ["{{data.team}}", "{{pw}}"] } }
              - { request: GET /b, auth: { basic: [bob, "Lit-pass-93"] } }
            """)
        let secrets = plan.secrets
        #expect(secrets.redact("bob@example.com Lit-pass-93 blue") == "*** *** blue")
    }

    @Test func anUnknownOrMistypedColumnIsAnErrorAtItsPlace() {
        let errors = scenarioErrors(
            "data: { csv: users.csv, secret: [password, emial] }\ntasks: [{ request: GET /x }]\n")
        #expect(errors.map(\.field) == ["data.secret[1]"])
        #expect(errors.first?.line == 1 && errors.first?.column == 44)
        #expect(errors.first?.message.contains("'emial' is not a column of users.csv") == true)
        let notText = scenarioErrors("data: { csv: users.csv, secret: [[email]] }\ntasks: [{ request: GET /x }]\n")
        #expect(notText.map(\.field) == ["data.secret[0]"])
    }

    @Test func redactionMasksTheLongestValueWholeAndFlagsWithoutTheirValue() {
        let secrets = SecretValues(["abc", "abcdef", ""])
        #expect(secrets.redact("x abcdef y abc") == "x *** y ***")
        #expect(SecretValues.none.redact("abc") == "abc")
        #expect(SecretValues.maskAssignment("1X=hunter2") == "1X=***")
        #expect(SecretValues.maskAssignment("hunter2") == "***")
    }
}
