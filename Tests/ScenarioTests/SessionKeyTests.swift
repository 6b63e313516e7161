import Testing

@testable import Engine

/// `cookies:`, `follow_redirects:`, `auth:` and `data: { mode: … }` as `validate` reads them: defaults,
/// overrides per step, and every bad value located by line:col with a hint.
@Suite struct SessionKeyTests {
    @Test func defaultsAreCookiesOnRedirectsFollowedNoAuthAndCycle() throws {
        let plan = try loadScenario(
            """
            data: { csv: users.csv }
            tasks: [ { request: GET / } ]
            """)
        #expect(plan.session.cookies)
        #expect(plan.requests[0].session == RequestSession(followRedirects: true, basicAuth: nil))
        #expect(plan.data?.mode == .cycle)
    }

    @Test func aStepOverridesTheScenariosRedirectAndAuthSettings() throws {
        let plan = try loadScenario(
            """
            cookies: false
            follow_redirects: false
            auth: { basic: ["{{data.email}}", "{{data.password}}"] }
            data: { csv: users.csv, mode: random }
            tasks:
              - steps:
                  - { request: GET /a }
                  - { request: GET /b, follow_redirects: true, auth: { basic: [admin, "p:w"] } }
                  - { request: GET /c, auth: ~ }
            """)
        #expect(!plan.session.cookies)
        #expect(plan.data?.mode == .random)
        let (a, b, c) = (plan.requests[0].session, plan.requests[1].session, plan.requests[2].session)
        #expect(!a.followRedirects && b.followRedirects && !c.followRedirects)
        #expect(show(a.basicAuth?.user) == "{{data#0}}" && show(a.basicAuth?.password) == "{{data#1}}")
        #expect(show(b.basicAuth?.user) == "admin" && show(b.basicAuth?.password) == "p:w")
        #expect(b.basicAuth?.isConstant == true)
        #expect(c.basicAuth == nil)
    }

    @Test(
        arguments: [
            ("cookies: nope\ntasks: [ { request: GET / } ]", 1, 10, "cookies", "expected true or false, got 'nope'"),
            (
                "tasks: [ { request: GET /, follow_redirects: 3 } ]", 1, 46, "tasks[0].follow_redirects",
                "expected true or false, got '3'"
            ),
            (
                "tasks: [ { request: GET /, folow_redirects: true } ]", 1, 28, "tasks[0].folow_redirects",
                "unknown key 'folow_redirects' (did you mean 'follow_redirects'?)"
            ),
            (
                "cookie: false\ntasks: [ { request: GET / } ]", 1, 1, "cookie",
                "unknown key 'cookie' (did you mean 'cookies'?)"
            ),
            (
                "auth: { basik: [a, b] }\ntasks: [ { request: GET / } ]", 1, 9, "auth.basik",
                "unknown key 'basik' (did you mean 'basic'?)"
            ),
            (
                "auth: { basic: [a] }\ntasks: [ { request: GET / } ]", 1, 16, "auth.basic",
                "expected a list of two values [USER, PASSWORD], got a list"
            ),
            (
                "auth: { basic: [\"a:b\", c] }\ntasks: [ { request: GET / } ]", 1, 17, "auth.basic[0]",
                "a basic-auth user name cannot contain ':'"
            ),
            ("auth: { basic: [\"{{who}}\", c] }\ntasks: [ { request: GET / } ]", 1, 17, "auth.basic[0]", "{{who}}"),
            (
                "data: { csv: users.csv, mode: uniqe }\ntasks: [ { request: GET / } ]", 1, 31, "data.mode",
                "unknown data mode 'uniqe' (did you mean 'unique'?)"
            ),
            (
                "data: { csv: users.csv, mode: 1 }\ntasks: [ { request: GET / } ]", 1, 31, "data.mode",
                "unknown data mode '1'; expected one of: cycle, unique, random"
            ),
            (
                "data: { csv: users.csv, mode: unique }\nusers: 4\ntasks: [ { request: GET / } ]", 1, 31, "data.mode",
                "data mode unique gives each user its own row: 4 users need 4 rows, the data file has 3 rows; use fewer users, more rows, or mode: cycle"
            ),
            (
                "data: { csv: users.csv, mode: unique }\nrate: 5\nmax_in_flight: 10\ntasks: [ { request: GET / } ]", 1,
                31,
                "data.mode", "max_in_flight: 10 iterations in flight need 10 rows"
            ),
        ] as [(String, Int, Int, String, String)])
    func badSessionValuesAreLocated(_ yaml: String, line: Int, column: Int, field: String, message: String) {
        let errors = scenarioErrors(yaml)
        #expect(errors.count == 1, "\(errors)")
        guard let error = errors.first else { return }
        #expect(error.line == line && error.column == column, "\(error)")
        #expect(error.field == field)
        #expect(error.message.contains(message), "\(error.message)")
    }

    @Test func uniqueAcceptsAsManyUsersAsRows() throws {
        let plan = try loadScenario(
            """
            users: 3
            data: { csv: users.csv, mode: unique }
            tasks: [ { request: GET / } ]
            """)
        #expect(plan.uniqueUserCap == 3)
        #expect(DataPartition(slot: 0, of: 2).rows(of: 3) == 2)
        #expect(DataPartition(slot: 1, of: 2).rows(of: 3) == 1)
        #expect(DataPartition(slot: 4, of: 5).rows(of: 3) == 0)
    }
}
