import Testing

@testable import TargetServer

@Suite struct KnobTests {
    @Test func errorFractionOfATenthFailsExactlyEveryTenthRequest() async throws {
        try await withServer { server in
            let connection = try HTTPTestConnection(port: server.port)
            #expect(try connection.request("POST", "/control?error_fraction=0.1").status == 200)
            var failed: [Int] = []
            for k in 1...100 where try connection.request("GET", "/Test/V1").status == 500 { failed.append(k) }
            #expect(failed == Array(stride(from: 10, through: 100, by: 10)))
        }
    }

    @Test func errorFractionAtStartUsesTheConfiguredStatus() async throws {
        try await withServer(TargetConfig(errorFraction: 0.25, errorStatus: 503)) { server in
            let connection = try HTTPTestConnection(port: server.port)
            let statuses = try (0..<100).map { _ in try connection.request("GET", "/Test/V2").status }
            #expect(statuses.filter { $0 == 503 }.count == 25)
            #expect(statuses.filter { $0 == 200 }.count == 75)
        }
    }

    @Test func fractionsPickExactlyFloorOfCountTimesFraction() {
        for fraction in [0.01, 0.1, 0.25, 1.0 / 3, 0.37, 0.999, 1] {
            let perMillion = Int((fraction * 1_000_000).rounded())
            let picked = (1...1000).filter { LoopState.picks($0, perMillion: perMillion) }.count
            #expect(picked == 1000 * perMillion / 1_000_000, "fraction \(fraction)")
        }
        #expect(!(1...1000).contains { LoopState.picks($0, perMillion: 0) })
    }

    @Test func delayAddsAtLeastTheDelay() async throws {
        try await withServer(TargetConfig(delay: .milliseconds(150))) { server in
            let connection = try HTTPTestConnection(port: server.port)
            let (reply, elapsed) = try measure { try connection.request("GET", "/Test/V1") }
            #expect(reply.status == 200)
            #expect(elapsed >= .milliseconds(150))
            // Admin endpoints are never delayed, so a test can always reach them.
            let (_, adminElapsed) = try measure { try connection.request("GET", "/stats") }
            #expect(adminElapsed < .milliseconds(150))
        }
    }

    @Test func slowFractionDelaysOnlyThePickedRequests() async throws {
        try await withServer { server in
            try server.update(TargetChange(slowFraction: 0.5, slowDelay: .milliseconds(200)))
            let connection = try HTTPTestConnection(port: server.port)
            let (_, fast) = try measure { try connection.request("GET", "/Test/V2") }
            let (_, slow) = try measure { try connection.request("GET", "/Test/V2") }
            #expect(fast < .milliseconds(200))
            #expect(slow >= .milliseconds(200))
        }
    }

    @Test func controlChangesTakeEffectAndAreReported() async throws {
        try await withServer { server in
            let connection = try HTTPTestConnection(port: server.port)
            let initial = try connection.request("GET", "/control").decode(ControlBody.self)
            #expect(
                initial
                    == ControlBody(
                        delayMs: 0, slowFraction: 0, slowMs: 0, errorFraction: 0,
                        errorStatus: 500, stallMs: 0))
            let changed = try connection.request(
                "POST", "/control?delay_ms=30&slow_fraction=0.01&slow_ms=50&error_fraction=1&error_status=418")
            #expect(changed.status == 200)
            #expect(
                try changed.decode(ControlBody.self)
                    == ControlBody(
                        delayMs: 30, slowFraction: 0.01, slowMs: 50, errorFraction: 1, errorStatus: 418,
                        stallMs: 0))
            let (reply, elapsed) = try measure { try connection.request("GET", "/Test/V3") }
            #expect(reply.status == 418 && elapsed >= .milliseconds(30))
            #expect(server.config.errorStatus == 418 && server.config.delay == .milliseconds(30))

            try server.update(TargetChange(delay: .zero, errorFraction: 0))
            #expect(try connection.request("GET", "/control").decode(ControlBody.self).errorFraction == 0)
            #expect(try connection.request("GET", "/Test/V3").status == 200)
        }
    }

    @Test(arguments: ["error_fraction=2", "error_status=99", "delay_ms=-1", "delay_ms=abc", "colour=red"])
    func invalidControlIsRejectedAndChangesNothing(query: String) async throws {
        try await withServer { server in
            let connection = try HTTPTestConnection(port: server.port)
            let reply = try connection.request("POST", "/control?\(query)")
            #expect(reply.status == 400)
            #expect(reply.text.contains("invalid"))
            #expect(server.config == TargetConfig(port: server.port))
        }
    }

    @Test func updateRejectsOutOfRangeValues() async throws {
        try await withServer { server in
            #expect(throws: TargetServerError.self) { try server.update(TargetChange(slowFraction: -0.1)) }
            #expect(throws: TargetServerError.self) { try server.update(TargetChange(delay: .seconds(-1))) }
        }
    }

    @Test func stallHoldsResponsesUntilItEnds() async throws {
        try await withServer { server in
            let control = try HTTPTestConnection(port: server.port)
            let clock = ContinuousClock()
            let stallStart = clock.now
            #expect(try control.request("POST", "/control?stall_ms=400").status == 200)
            // The control endpoint stays responsive during the stall...
            #expect(try control.request("GET", "/control").decode(ControlBody.self).stallMs > 0)
            // ...while a workload request sent during it is answered only when it ends.
            let reply = try HTTPTestConnection(port: server.port).request("GET", "/Test/V2")
            #expect(reply.status == 200)
            #expect(clock.now - stallStart >= .milliseconds(400))
            let (_, after) = try measure { try control.request("GET", "/Test/V2") }
            #expect(after < .milliseconds(400))
        }
    }

    @Test func aStallCatchesResponsesAlreadyBeingDelayed() async throws {
        try await withServer(TargetConfig(delay: .milliseconds(50))) { server in
            let connection = try HTTPTestConnection(port: server.port)
            let clock = ContinuousClock()
            let start = clock.now
            try connection.sendRaw(HTTPTestConnection.format("GET", "/Test/V2"))
            try server.update(TargetChange(stall: .milliseconds(300)))
            #expect(try connection.readResponse().status == 200)
            #expect(clock.now - start >= .milliseconds(300))
        }
    }

    @Test func stallZeroReleasesHeldResponsesAtOnce() async throws {
        try await withServer(TargetConfig(stall: .seconds(30))) { server in
            let connection = try HTTPTestConnection(port: server.port)
            try connection.sendRaw(HTTPTestConnection.format("GET", "/Test/V2"))
            #expect(!connection.hasData(within: .milliseconds(150)))   // held, not lost in flight
            let (reply, elapsed) = try measure {
                try server.update(TargetChange(stall: .zero))
                return try connection.readResponse()
            }
            #expect(reply.status == 200)
            #expect(elapsed < .seconds(5))
            #expect(server.config.stall == .zero)
        }
    }
}
