import Testing

@testable import TargetServer

@Suite struct EndpointTests {
    @Test(arguments: [("/Test/V1", 1578), ("/Test/V2", 13), ("/Test/V3", 378), ("/Test/V4", 378)])
    func workloadBodiesHaveTheirExactSizes(path: String, size: Int) async throws {
        try await withServer { server in
            let connection = try HTTPTestConnection(port: server.port)
            let reply = try connection.request("GET", path)
            #expect(reply.status == 200)
            #expect(reply.body.count == size)
            #expect(reply.headers["content-length"] == "\(size)")
        }
    }

    @Test func bodiesAreTheSameOnEveryRequestAndEveryStart() async throws {
        let first = try await withServer { try HTTPTestConnection(port: $0.port).request("GET", "/Test/V3").body }
        let second = try await withServer { try HTTPTestConnection(port: $0.port).request("GET", "/Test/V3").body }
        #expect(first == second)
        #expect(String(decoding: first, as: UTF8.self).hasPrefix(#"{"endpoint":"/Test/V3""#))
    }

    @Test func twoRequestsShareOneKeepAliveConnection() async throws {
        try await withServer { server in
            let connection = try HTTPTestConnection(port: server.port)
            let first = try connection.request("GET", "/Test/V1")
            let second = try connection.request("GET", "/Test/V2")
            #expect(first.status == 200 && first.body.count == 1578)
            #expect(second.status == 200 && second.text == "Hello, world!")
            #expect(first.headers["connection"] == nil)
            #expect(server.requestCount() == 2)
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        try await withServer { server in
            let connection = try HTTPTestConnection(port: server.port)
            try connection.sendRaw(
                HTTPTestConnection.format("GET", "/Test/V1") + HTTPTestConnection.format("GET", "/Test/V2")
                    + HTTPTestConnection.format("GET", "/Test/V3"))
            #expect(try connection.readResponse().body.count == 1578)
            #expect(try connection.readResponse().body.count == 13)
            #expect(try connection.readResponse().body.count == 378)
        }
    }

    @Test func connectionCloseIsHonouredAfterTheResponse() async throws {
        try await withServer { server in
            let connection = try HTTPTestConnection(port: server.port)
            let reply = try connection.request("GET", "/Test/V2", headers: ["Connection: close"])
            #expect(reply.status == 200)
            #expect(reply.headers["connection"] == "close")
            #expect(try connection.isClosedByPeer())
        }
    }

    @Test func http10KeepAliveIsAcknowledged() async throws {
        try await withServer { server in
            let connection = try HTTPTestConnection(port: server.port)
            try connection.sendRaw("GET /Test/V2 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            let first = try connection.readResponse()
            #expect(first.headers["connection"] == "keep-alive")
            try connection.sendRaw("GET /Test/V2 HTTP/1.0\r\n\r\n")
            #expect(try connection.readResponse().status == 200)
            #expect(try connection.isClosedByPeer())
        }
    }

    @Test func unknownPathIs404() async throws {
        try await withServer { server in
            let connection = try HTTPTestConnection(port: server.port)
            #expect(try connection.request("GET", "/nope").status == 404)
            #expect(try connection.request("GET", "/Test/V5").status == 404)
            #expect(try connection.request("GET", "/Test/V1").status == 200)   // still usable afterwards
        }
    }

    @Test(arguments: [
        ("POST", "/Test/V1", "GET"), ("DELETE", "/Test/V4", "GET"), ("GET", "/login", "POST"),
        ("PUT", "/metrics", "POST"), ("GET", "/stats/reset", "POST"), ("DELETE", "/control", "GET, POST"),
    ])
    func wrongMethodIs405WithAllow(method: String, path: String, allow: String) async throws {
        try await withServer { server in
            let connection = try HTTPTestConnection(port: server.port)
            let reply = try connection.request(method, path, body: method == "GET" ? nil : "x=1")
            #expect(reply.status == 405)
            #expect(reply.headers["allow"] == allow)
        }
    }

    @Test func queryStringsDoNotChangeTheRoute() async throws {
        try await withServer { server in
            let reply = try HTTPTestConnection(port: server.port).request("GET", "/Test/V2?user=7")
            #expect(reply.status == 200 && reply.body.count == 13)
        }
    }

    @Test func loginAcceptsFormAndJSONAndReturnsAToken() async throws {
        try await withServer { server in
            let connection = try HTTPTestConnection(port: server.port)
            let form = try connection.request(
                "POST", "/login", body: "username=a&password=b",
                headers: ["Content-Type: application/x-www-form-urlencoded"])
            let json = try connection.request(
                "POST", "/login", body: #"{"username":"a","password":"b"}"#, headers: ["Content-Type: application/json"]
            )
            for reply in [form, json] {
                #expect(reply.status == 200)
                #expect(reply.text.hasPrefix(#"{"token":""#))
            }
        }
    }

    @Test func metricsConsumesALargeBodyAndStaysInSync() async throws {
        try await withServer { server in
            let connection = try HTTPTestConnection(port: server.port)
            let big = String(repeating: "m", count: 200_000)
            let reply = try connection.request("POST", "/metrics", body: big, headers: ["Content-Type: text/plain"])
            #expect(reply.status == 200)
            #expect(reply.text == #"{"accepted":true}"#)
            #expect(try connection.request("GET", "/Test/V2").status == 200)
        }
    }

    @Test func expectContinueGetsAnInterimResponse() async throws {
        try await withServer { server in
            let connection = try HTTPTestConnection(port: server.port)
            try connection.sendRaw(
                "POST /login HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n")
            #expect(try connection.readResponse().status == 100)
            try connection.sendRaw("a=b")
            #expect(try connection.readResponse().status == 200)
        }
    }

    @Test func fillerHasExactlyTheAskedSize() {
        for size in [40, 378, 1578, 10_000] {
            #expect(CannedResponses.filler(name: "/x", size: size).utf8.count == size)
        }
    }
}
