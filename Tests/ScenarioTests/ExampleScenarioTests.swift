import Protocol
import Testing

@testable import Engine

@Suite struct ExampleScenarioTests {
    @Test func mixedReadLoadsWithItsWeightsAndEndpoints() throws {
        let plan = try ScenarioLoader.load(file: examplesFolder + "/mixed-read.yaml")
        #expect(plan.name == "mixed-read")
        #expect(plan.host == "http://127.0.0.1:8080")
        #expect(plan.users == 200)
        #expect(plan.spawnRate == 50)
        #expect(plan.duration == .seconds(120))
        #expect(plan.wait == .none)
        #expect(
            plan.endpoints
                == ["/Test/V1", "/Test/V2", "/Test/V3", "/Test/V4"].map { EndpointKey(method: "GET", name: $0) })
        #expect(plan.tasks.map(\.weight) == [60, 1, 14, 5])
        #expect(plan.tasks.map(\.steps) == [[0], [1], [2], [3]])
        #expect(plan.cumulativeWeights == [60, 61, 75, 80])
        #expect(plan.totalWeight == 80)
        #expect(plan.onStart.isEmpty)
        #expect(plan.requests.allSatisfy { !$0.targetIsAbsolute && $0.timeout == .seconds(10) && $0.body == nil })
        #expect(plan.requests.map { show($0.target) } == ["/Test/V1", "/Test/V2", "/Test/V3", "/Test/V4"])
        #expect(plan.thresholds.map(\.expression) == ["p95 < 150ms", "failure_rate < 0.1%"])
        #expect(plan.thresholds.allSatisfy { $0.endpoint == nil })
        #expect(plan.thresholds.map(\.value) == [150, 0.001])
    }

    @Test func iotMetricsLoadsWithLoginOnStartAndPerUserDeviceId() throws {
        let plan = try ScenarioLoader.load(file: examplesFolder + "/iot-metrics.yaml")
        #expect(plan.users == 1000 && plan.spawnRate == 200 && plan.duration == nil)
        #expect(plan.vars == [VariablePlan(name: "deviceid", value: Template(parts: [.uuid]))])
        #expect(
            plan.endpoints == [
                EndpointKey(method: "POST", name: "/login"), EndpointKey(method: "POST", name: "/metrics"),
            ])
        #expect(plan.onStart == [0])
        #expect(plan.tasks == [TaskPlan(weight: 999, steps: [1])])
        #expect(plan.cumulativeWeights == [999])
        let login = plan.requests[0], metrics = plan.requests[1]
        #expect(show(login.body) == "deviceid={{var#0}}")
        #expect(login.body?.escaping == .form)
        #expect(show(metrics.body) == "deviceid={{var#0}}&timestamp={{now}}")
        #expect(metrics.headers.map(show) == ["Content-Type: application/x-www-form-urlencoded"])
        #expect(metrics.check == Check(status: .oneOf([200])))
        #expect(login.check == .default)
    }

    @Test func loginFlowExampleUsesEveryFeature() throws {
        let plan = try ScenarioLoader.load(file: examplesFolder + "/login-flow.yaml")
        #expect(plan.host == "http://127.0.0.1:8080")   // trailing slash dropped
        #expect(plan.wait == .between(.milliseconds(500), .seconds(2)))
        #expect(plan.data?.columns == ["email", "password", "team"])
        #expect(plan.data?.rows.count == 3)
        #expect(plan.data?.rows[1] == ["bob@example.com", "s3cret, with comma", "blue"])
        #expect(plan.vars.map(\.name) == ["session", "account"])
        #expect(show(plan.vars[1].value) == "{{data#2}}-{{random_int 1 1000}}")
        #expect(
            plan.endpoints.map(\.description)
                == ["POST /api/login", "GET /api/me", "GET /post/[id]", "POST /metrics", "PUT /Test/V2"])
        #expect(plan.tasks.map(\.steps) == [[1], [2], [3, 4]])
        #expect(plan.requests.map(\.timeout) == [.seconds(5), .seconds(5), .seconds(5), .seconds(5), .seconds(2)])
        #expect(show(plan.requests[2].target) == "/post/{{random_int 1 500}}")
        #expect(
            plan.thresholds.map { $0.endpoint?.description ?? "total" }
                == ["total", "total", "GET /api/me", "GET /post/[id]", "GET /post/[id]", "POST /api/login"])
        #expect(plan.requests[0].rules.extract.map(\.name) == ["token"])
        #expect(
            plan.labels.checkRows.map(\.check)
                == [
                    "status 200, 201", "status 200", #"$.status == "ok""#, #"header Content-Type contains "json""#,
                    "max_ms 250",
                    "status 200", #"body contains "ok""#,
                ])
        #expect(
            show(plan.requests[1].headers.first { show($0).hasPrefix("Authorization") })
                == "Authorization: Bearer {{extracted#0}}")
        let put = plan.requests[4]
        #expect(
            put.headers.map(show) == ["User-Agent: loadd-example", "Accept: text/plain", "Content-Type: text/plain"])
        #expect(show(put.body) == "account={{var#1}}")
    }

    @Test(arguments: ["mixed-read.yaml", "iot-metrics.yaml", "login-flow.yaml"])
    func shippedExampleLoadsFromAnyWorkingDirectory(file: String) throws {
        let plan = try ScenarioLoader.load(file: examplesFolder + "/" + file)
        #expect(!plan.tasks.isEmpty)
        #expect(plan.hasRelativeRequests)
    }

    @Test func nameDefaultsToTheFileBaseName() throws {
        let plan = try ScenarioLoader.load(
            yaml: "tasks: [{ request: GET / }]", file: "some/dir/smoke.test.yaml",
            baseDirectory: ".")
        #expect(plan.name == "smoke.test")
        #expect(plan.users == 1 && plan.spawnRate == 1)
        #expect(plan.host == "")
    }

    @Test func requestsSharingANameShareOneEndpoint() throws {
        let plan = try loadScenario(
            """
            host: http://h
            tasks:
              - { request: GET /a/1, name: "/a/[n]" }
              - { request: GET /a/2, name: "/a/[n]" }
              - { request: POST /a/1, name: "/a/[n]" }
              - { request: GET https://other.example/x }
            """)
        #expect(plan.requests.map(\.endpoint) == [0, 0, 1, 2])
        #expect(plan.endpoints[2] == EndpointKey(method: "GET", name: "https://other.example/x"))
        #expect(plan.requests[3].targetIsAbsolute)
        #expect(!plan.requests[0].targetIsAbsolute)
    }
}
