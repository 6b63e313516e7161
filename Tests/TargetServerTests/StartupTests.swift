import TargetServer
import Testing

@Suite struct StartupTests {
    @Test func startsOnAnEphemeralPortAndReportsItsURL() async throws {
        try await withServer { server throws in
            #expect(server.port > 0)
            #expect(server.baseURL == "http://127.0.0.1:\(server.port)")
            #expect(try HTTPTestConnection(port: server.port).request("GET", "/Test/V2").status == 200)
        }
    }

    @Test func aTakenPortGivesAClearError() async throws {
        try await withServer { first in
            let error = await #expect(throws: TargetServerError.self) {
                try await TargetServer.start(TargetConfig(port: first.port))
            }
            #expect(error?.isPortInUse == true)
            #expect(error?.description.contains("127.0.0.1:\(first.port)") == true)
            #expect(error?.description.contains("already in use") == true)
        }
    }

    @Test func anUnknownHostIsACannotBindError() async throws {
        let error = await #expect(throws: TargetServerError.self) {
            try await TargetServer.start(TargetConfig(host: "no-such-host.invalid"))
        }
        #expect(error?.isPortInUse == false)
        #expect(error?.description.hasPrefix("cannot listen on no-such-host.invalid:0") == true)
    }

    @Test(arguments: [
        TargetConfig(port: 70000), TargetConfig(threads: 0), TargetConfig(delay: .seconds(-1)),
        TargetConfig(slowFraction: 1.5), TargetConfig(errorFraction: .nan), TargetConfig(errorStatus: 100),
    ])
    func invalidConfigurationsAreRefusedBeforeBinding(config: TargetConfig) async throws {
        await #expect(throws: TargetServerError.self) { try await TargetServer.start(config) }
    }

    @Test func stopClosesConnectionsAndCanBeCalledTwice() async throws {
        let server = try await TargetServer.start(TargetConfig())
        let connection = try HTTPTestConnection(port: server.port)
        #expect(try connection.request("GET", "/Test/V2").status == 200)
        try await server.stop()
        try await server.stop()
        #expect(try connection.isClosedByPeer())
        await server.waitUntilStopped()
    }

    @Test(arguments: [
        ("127.0.0.1:8080", "127.0.0.1", 8080), ("localhost:0", "localhost", 0), ("[::1]:9000", "::1", 9000),
        (":8081", "127.0.0.1", 8081), ("8082", "127.0.0.1", 8082), (" 0.0.0.0:80 ", "0.0.0.0", 80),
    ])
    func listenAddressesParse(text: String, host: String, port: Int) throws {
        let parsed = try TargetServer.parseListen(text)
        #expect(parsed.host == host && parsed.port == port)
    }

    @Test(arguments: ["", "127.0.0.1:", "127.0.0.1:http", "127.0.0.1:65536", "::1:80", "[::1]80", "[::1", "[]:80"])
    func badListenAddressesAreRefusedWithTheValue(text: String) {
        let error = #expect(throws: TargetServerError.self) { try TargetServer.parseListen(text) }
        #expect(error?.description.contains("invalid listen address '\(text)'") == true)
    }
}
