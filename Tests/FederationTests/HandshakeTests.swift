import Federation
import Foundation
import Protocol
import TestSupport
import Testing

/// The handshake over real loopback TCP against an in-process master, with raw sockets on the
/// worker side so every byte is the test's choice.
@Suite(.serialized, .timeLimit(.minutes(1))) struct HandshakeTests {
    /// Runs hello → challenge on a raw connection and returns the challenge.
    private func challenge(
        _ client: RawFrameClient, node: String, nonce: HexBytes,
        version: UInt16 = FederationProtocol.version
    ) async throws -> Challenge {
        try client.send(
            .hello(
                Hello(
                    protocolVersion: version, node: NodeID(rawValue: node), loaddVersion: "raw",
                    cores: 1, threads: 1, maxUsers: 10, weight: 1, nonce: nonce)))
        guard case .challenge(let challenge) = try await client.receive() else {
            throw TestFailure("expected a challenge")
        }
        return challenge
    }

    @Test func aWorkerWithTheTokenIsWelcomedAndTheMasterProvesItselfToo() async throws {
        let fleet = try await LoopbackMaster.start()
        defer { Task { await fleet.close() } }
        let client = try RawFrameClient(port: fleet.port)
        let nonce = FleetToken.nonce()
        let challenge = try await challenge(client, node: "raw", nonce: nonce)
        #expect(testToken.verifyMaster(challenge.masterProof, workerNonce: nonce))
        #expect(!otherToken.verifyMaster(challenge.masterProof, workerNonce: nonce))
        try client.send(
            .proof(Proof(mac: testToken.workerProof(masterNonce: challenge.nonce, node: NodeID(rawValue: "raw")))))
        guard case .welcome(let welcome) = try await client.receive() else { throw TestFailure("expected welcome") }
        #expect(welcome.heartbeatTimeout == .seconds(30))
        #expect(fleet.master.workers().map(\.node.rawValue) == ["raw"])
    }

    @Test func aWrongTokenIsRefusedAndTheConnectionClosed() async throws {
        let fleet = try await LoopbackMaster.start()
        defer { Task { await fleet.close() } }
        let client = try RawFrameClient(port: fleet.port)
        let challenge = try await challenge(client, node: "intruder", nonce: FleetToken.nonce())
        try client.send(
            .proof(
                Proof(
                    mac: otherToken.workerProof(
                        masterNonce: challenge.nonce,
                        node: NodeID(rawValue: "intruder")))))
        #expect(try await client.receiveUntilClosed() == [.refused(Refusal(reason: "authentication failed"))])
        #expect(fleet.master.workers().isEmpty)
    }

    @Test func aProofForAnotherNodeNameIsRefused() async throws {
        let fleet = try await LoopbackMaster.start()
        defer { Task { await fleet.close() } }
        let client = try RawFrameClient(port: fleet.port)
        let challenge = try await challenge(client, node: "claimed", nonce: FleetToken.nonce())
        try client.send(
            .proof(Proof(mac: testToken.workerProof(masterNonce: challenge.nonce, node: NodeID(rawValue: "other")))))
        #expect(try await client.receiveUntilClosed() == [.refused(Refusal(reason: "authentication failed"))])
    }

    @Test func anotherProtocolVersionIsRefusedWithAClearMessage() async throws {
        let fleet = try await LoopbackMaster.start()
        defer { Task { await fleet.close() } }
        let expected = FederationMessage.refused(
            Refusal(reason: "protocol version 5 not supported; this master speaks 4"))
        // A v5 hello in today's shape…
        let client = try RawFrameClient(port: fleet.port)
        try client.send(
            .hello(
                Hello(
                    protocolVersion: 5, node: NodeID(rawValue: "future"), loaddVersion: "9", cores: 1,
                    threads: 1, maxUsers: 1, weight: 1, nonce: FleetToken.nonce())))
        #expect(try await client.receiveUntilClosed() == [expected])
        // …and one whose other fields this build cannot read.
        let other = try RawFrameClient(port: fleet.port)
        other.sendFrame(payload: Array(#"{"hello":{"protocol_version":5,"capabilities":["quic"]}}"#.utf8))
        #expect(try await other.receiveUntilClosed() == [expected])
    }

    @Test func garbageAndOutOfOrderFramesCloseOnlyThatConnection() async throws {
        let fleet = try await LoopbackMaster.start(maxFrameBytes: 64 * 1024)
        defer { Task { await fleet.close() } }
        let idle = try RawFrameClient(port: fleet.port)   // stays open throughout: unaffected by the others
        let http = try RawFrameClient(port: fleet.port)
        http.sendRaw(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))   // "GET " reads as a 1.2 GB frame
        #expect(try await http.receiveUntilClosed().isEmpty)
        let notJSON = try RawFrameClient(port: fleet.port)
        notJSON.sendFrame(payload: Array("definitely not json".utf8))
        #expect(try await notJSON.receiveUntilClosed().isEmpty)
        let brokenBinary = try RawFrameClient(port: fleet.port)
        brokenBinary.sendFrame(payload: [0, 0xFF, 0xFF])   // the binary stats marker, then a truncated varint
        #expect(try await brokenBinary.receiveUntilClosed().isEmpty)
        let oversized = try RawFrameClient(port: fleet.port)
        oversized.sendFrame(payload: [UInt8](repeating: 0x20, count: 64 * 1024 + 1))
        #expect(try await oversized.receiveUntilClosed().isEmpty)
        let early = try RawFrameClient(port: fleet.port)
        try early.send(
            .stats(
                StatsReport(
                    node: NodeID(rawValue: "x"), run: RunID(rawValue: "r"), assignment: 1,
                    sequence: 1, intervals: [])))
        #expect(try await early.receiveUntilClosed().isEmpty)
        let unknownKind = try RawFrameClient(port: fleet.port)
        unknownKind.sendFrame(payload: Array(#"{"type":"hello"}"#.utf8))
        #expect(try await unknownKind.receiveUntilClosed().isEmpty)

        // The master still serves: a real worker joins, and the idle raw connection can still shake hands.
        let worker = await fleet.worker("good")
        defer { Task { await worker.shutdown() } }
        try await eventually("the good worker to join") { fleet.master.workers().map(\.node.rawValue) == ["good"] }
        // The master lists the worker when it accepts the proof; the worker counts itself connected when
        // the welcome reaches it, a moment later.
        try await eventually("the good worker to see its master") {
            await worker.connectedMaster() == NodeID(rawValue: "master")
        }
        _ = try await challenge(idle, node: "late", nonce: FleetToken.nonce())
    }

    @Test func aSecondWorkerUnderAConnectedNameIsRefused() async throws {
        let fleet = try await LoopbackMaster.start()
        defer { Task { await fleet.close() } }
        let first = await fleet.worker("twin")
        defer { Task { await first.shutdown() } }
        try await eventually("the first twin to join") { fleet.master.workers().count == 1 }
        let client = try RawFrameClient(port: fleet.port)
        let challenge = try await challenge(client, node: "twin", nonce: FleetToken.nonce())
        try client.send(
            .proof(Proof(mac: testToken.workerProof(masterNonce: challenge.nonce, node: NodeID(rawValue: "twin")))))
        guard case .refused(let refusal) = try await client.receiveUntilClosed().first else {
            throw TestFailure("expected refusal")
        }
        #expect(refusal.reason.contains("already connected"))
        #expect(fleet.master.workers().count == 1)
    }

    @Test func aWorkerWithAnotherTokenNeverJoinsAndSaysWhy() async throws {
        let log = CapturedLog()
        let fleet = try await LoopbackMaster.start(log: log)
        defer { Task { await fleet.close() } }
        let worker = await fleet.worker("stranger", token: otherToken)
        defer { Task { await worker.shutdown() } }
        // The worker checks the master's proof first and hangs up. Wait for the master to have seen
        // that attempt end (a fixed sleep would pass just as well if the worker had not dialled yet).
        try await eventually("the master to log the failed handshake") {
            log.contains("worker hung up during the handshake: its token_file likely differs from this master's")
        }
        #expect(await worker.connectedMaster() == nil)
        #expect(fleet.master.workers().isEmpty)
    }

    @Test func aWorkerSpeakingVersionFiveIsRefusedAndToldWhichVersionTheMasterSpeaks() async throws {
        let fleet = try await LoopbackMaster.start()
        defer { Task { await fleet.close() } }
        let worker = await fleet.worker("future", protocolVersion: 5)
        let events = EventLog(worker)
        defer { Task { await worker.shutdown() } }
        try await eventually("the refusal") { !events.refusals.isEmpty }
        #expect(events.refusals.first == "protocol version 5 not supported; this master speaks 4")
        #expect(await worker.connectedMaster() == nil)
    }

    @Test func aVersionThreeWorkerOfLoadd08IsRefusedWithAReasonNamingItsVersion() async throws {
        let fleet = try await LoopbackMaster.start()
        defer { Task { await fleet.close() } }
        let expected =
            "protocol version 3 not supported; this master speaks 4: install loadd \(LoaddVersion.current) "
            + "on this worker, as on the master"
        // The hello exactly as a loadd 0.8.x worker frames it.
        let client = try RawFrameClient(port: fleet.port)
        client.sendFrame(
            payload: Array(
                #"{"hello":{"cores":2,"loadd_version":"0.8.0","max_users":0,"node":"old","nonce":"00112233445566778899aabbccddeeff","protocol_version":3,"threads":2,"weight":1}}"#
                    .utf8))
        #expect(try await client.receiveUntilClosed() == [.refused(Refusal(reason: expected))])
        // A worker built to speak 3 sees the same reason in its events.
        let worker = await fleet.worker("old", protocolVersion: 3)
        let events = EventLog(worker)
        defer { Task { await worker.shutdown() } }
        try await eventually("the refusal") { !events.refusals.isEmpty }
        #expect(events.refusals.first == expected)
        #expect(await worker.connectedMaster() == nil)
    }

    @Test func theWorkerChecksTheMastersProofBeforeGivingItsOwn() throws {
        let hello = hello("w")
        var handshake = WorkerHandshake(token: testToken, hello: hello, binding: { .plaintext })
        let forged = Challenge(nonce: FleetToken.nonce(), masterProof: otherToken.masterProof(workerNonce: hello.nonce))
        guard case .violation(let reason) = handshake.receive(.challenge(forged)) else {
            Issue.record("a master without the token was answered")
            return
        }
        #expect(reason.contains("could not prove it holds the token"))
    }

    @Test func tokensShorterThanSixteenBytesAreRefused() {
        #expect(throws: FederationError.self) { try FleetToken(Array("short".utf8)) }
    }

    @Test func runAndNodeIdentifiersEncodeAsBareStrings() throws {
        let ids = try JSONEncoder().encode([RunID(rawValue: "20261129-160000-ab12")])
        #expect(String(decoding: ids, as: UTF8.self) == #"["20261129-160000-ab12"]"#)
        #expect(try JSONDecoder().decode(NodeID.self, from: Data(#""w-1""#.utf8)) == NodeID(rawValue: "w-1"))
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(NodeID.self, from: Data(#"{"raw_value":"w"}"#.utf8))
        }
    }

    @Test func messagesRoundTripAsOneKeyObjectsNamingTheirKind() throws {
        let message = FederationMessage.setUsers(UsersChange(run: RunID(rawValue: "r1"), users: 5, spawnRate: 2.5))
        let json = String(decoding: try JSONEncoder().encode(message), as: UTF8.self)
        #expect(json.hasPrefix(#"{"set_users":{"#))
        #expect(try JSONDecoder().decode(FederationMessage.self, from: Data(json.utf8)) == message)
        let heartbeat = String(decoding: try JSONEncoder().encode(FederationMessage.heartbeat), as: UTF8.self)
        #expect(heartbeat == #"{"heartbeat":{}}"#)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(FederationMessage.self, from: Data(#"{"heartbeat":{},"stop":{"run":"r"}}"#.utf8))
        }
    }
}
