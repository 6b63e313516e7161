import Federation
import Foundation
import NIOCore
import NIOPosix
import Protocol

/// One benchmark from join to goodbye: connect the fakes, wait for the run's `assign`, stream for
/// `seconds`, measuring the master meanwhile, then close everything. Bounded: every wait has a limit.
struct Bench {
    let options: Options

    /// How long the fakes may take to be welcomed, and the operator (or fleet.sh) to start a run.
    static let joinLimit: TimeAmount = .seconds(60)
    static let assignLimit: TimeAmount = .seconds(120)
    /// Stream seconds left out of the CPU windows: the first two (rows being created, caches
    /// warming) and the last one (reports of it may straddle the window's end).
    static let warmSeconds = 2

    /// The steady stream in two halves, as stream seconds: the quiet window measures what the
    /// workers cost the master, with nothing else asking it anything; the probed window after it
    /// samples the delay, whose `GET /v1/status` polls cost the master CPU of their own.
    static func windows(seconds: Int) -> (quiet: Range<Int>, probed: Range<Int>) {
        let middle = warmSeconds + (seconds - warmSeconds) / 2
        return (warmSeconds..<middle, middle..<(seconds - 1))
    }

    func run() async throws -> BenchResults {
        let token = try FleetToken.read(path: options.tokenFile)
        let factory = ReportFactory(endpoints: options.endpoints, requests: options.requests, buckets: options.buckets)
        let ledger = FleetLedger(workers: options.workers, requestsPerReport: factory.requestsPerReport)
        // The probe gets a loop of its own so a busy fake loop never delays reading the master's answer.
        let fakeLoops = MultiThreadedEventLoopGroup(numberOfThreads: options.loops)
        let probeLoop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let probe = options.socket.map { StatusProbe(socket: $0, group: probeLoop) }
        var results = BenchResults(options: options, reportBytes: try Self.frameBytes(factory))
        var channels: [any Channel] = []
        do {
            let joinStarted = NIODeadline.now()
            let beforeJoin = try masterSample()
            channels = try await connectAll(token: token, ledger: ledger, factory: factory, group: fakeLoops)
            try await waitUntil("\(options.workers) workers to be welcomed", ledger, limit: Self.joinLimit) {
                ledger.welcomedCount == options.workers
            }
            results.joinTime = NIODeadline.now() - joinStarted
            results.afterJoin = try masterSample()
            if let before = beforeJoin, let after = results.afterJoin {
                results.joinCPU = after.cpuSeconds - before.cpuSeconds
            }
            log("\(options.workers) fake workers joined in \(Self.ms(results.joinTime)) ms; waiting for a run's assign")
            try await waitUntil("every fake to be assigned a share of a run", ledger, limit: Self.assignLimit) {
                ledger.assignedCount >= options.workers
            }
            results.run = ledger.run
            try await stream(ledger, probe: probe, into: &results)
        } catch {
            // Ends the delay sampler too, should it be waiting for seconds that will not come.
            ledger.finishStream()
            await Self.close(channels, ledger: ledger)
            try? await fakeLoops.shutdownGracefully()
            try? await probeLoop.shutdownGracefully()
            throw error
        }
        try await leave(channels, ledger: ledger, probe: probe, into: &results)
        try await fakeLoops.shutdownGracefully()
        try await probeLoop.shutdownGracefully()
        return results
    }

    /// Every fake leaves at once, the run still going: what the master spends moving their load
    /// (its losses, re-splits and fleet events), until it lists no worker and has had a tick
    /// (250 ms) and more to re-split.
    private func leave(
        _ channels: [any Channel], ledger: FleetLedger, probe: StatusProbe?,
        into results: inout BenchResults
    ) async throws {
        let before = try masterSample()
        let started = NIODeadline.now()
        await Self.close(channels, ledger: ledger)
        guard let probe, let before else { return }
        let deadline = NIODeadline.now() + .seconds(120)
        while try await probe.workerCount() > 0 {
            guard NIODeadline.now() < deadline else {
                throw ProbeError("timed out waiting for the master to see every fake leave")
            }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        results.leaveTime = NIODeadline.now() - started
        try await Task.sleep(nanoseconds: 600_000_000)
        if let after = try masterSample() { results.leaveCPU = after.cpuSeconds - before.cpuSeconds }
    }

    /// Starts every fake's reports one second from now, spread over `--spread-ms`, and measures:
    /// CPU over the quiet and the probed windows, memory at the end, each probed second's delay.
    private func stream(_ ledger: FleetLedger, probe: StatusProbe?, into results: inout BenchResults) async throws {
        let start = NIODeadline.now() + .seconds(1)
        let (spread, workers, seconds) = (
            TimeAmount.milliseconds(Int64(options.spreadMs)), options.workers, options.seconds
        )
        for fake in ledger.fakes {
            fake.eventLoop.execute {
                let offset = TimeAmount.nanoseconds(spread.nanoseconds * Int64(fake.value.index) / Int64(workers))
                fake.value.startStreaming(at: start, offset: offset, seconds: seconds)
            }
        }
        log("streaming \(seconds) s of reports from \(workers) fakes")
        let (quiet, probed) = Self.windows(seconds: seconds)
        let sampler = probe.map { probe in
            Task {
                await DelaySampler(probe: probe, interval: .milliseconds(Int64(options.pollMs)))
                    .run(ledger.completedSeconds, from: probed.lowerBound)
            }
        }
        try await Self.sleep(until: start + .seconds(Int64(quiet.lowerBound)))
        results.quietStart = try masterSample()
        try await Self.sleep(until: start + .seconds(Int64(quiet.upperBound)))
        results.quietEnd = try masterSample()
        try await Self.sleep(until: start + .seconds(Int64(probed.upperBound)))
        results.probedEnd = try masterSample()
        // The last second's reports go out within the spread; give them a moment beyond it.
        try await waitUntil("every report to be sent", ledger, limit: .seconds(Int64(seconds) + 5)) {
            ledger.reportsSent >= workers * seconds
        }
        ledger.finishStream()
        results.reportsSent = ledger.reportsSent
        results.delays = await sampler?.value
        results.finalTotal = try await probe?.totalRequests()
        results.expectedTotal = UInt64(ledger.reportsSent) * ledger.requestsPerReport
        results.problems = ledger.problems
    }

    /// Connects the fakes a few at a time: the master's listen backlog is 64 (a burst of hundreds
    /// of SYNs would overflow it and cost seconds of retransmits), and it lets one address hold
    /// only 8 connections in their handshake.
    private func connectAll(
        token: FleetToken, ledger: FleetLedger, factory: ReportFactory,
        group: any EventLoopGroup
    ) async throws -> [any Channel] {
        let (host, port, parallel) = (options.masterHost, options.masterPort, 16)
        let tls = try options.tlsFingerprint.map { pin throws(FederationError) in try WorkerTLS(pin: pin) }
        // The pin is the master's certificate, so it is also the channel binding the master expects.
        let binding = options.tlsFingerprint.map(ChannelBinding.serverEndPoint) ?? .plaintext
        return try await withThrowingTaskGroup(of: (any Channel).self) { tasks in
            var channels: [any Channel] = []
            for index in 0..<options.workers {
                if index >= parallel, let channel = try await tasks.next() { channels.append(channel) }
                // The master takes at most 8 handshakes at once from one address: stay under it.
                try await waitUntil("earlier fakes to finish their handshake", ledger, limit: .seconds(30)) {
                    index - ledger.welcomedCount < 6
                }
                tasks.addTask {
                    try await ClientBootstrap(group: group)
                        .connectTimeout(.seconds(10))
                        .channelOption(.tcpOption(.tcp_nodelay), value: 1)
                        .connect(host: host, port: port) { channel in
                            channel.eventLoop.makeCompletedFuture {
                                let fake = FakeWorker(
                                    index: index, token: token, binding: binding, ledger: ledger,
                                    factory: factory)
                                if let tls {
                                    try channel.pipeline.syncOperations.addHandler(tls.handler(reportingTo: PinCheck()))
                                }
                                try channel.pipeline.syncOperations.addHandlers([
                                    ByteToMessageHandler(FrameDecoder()), MessageToByteHandler(FrameEncoder()), fake,
                                ])
                                ledger.register(NIOLoopBound(fake, eventLoop: channel.eventLoop))
                                return channel
                            }
                        }
                }
            }
            for try await channel in tasks { channels.append(channel) }
            return channels
        }
    }

    private func masterSample() throws -> ProcessSample? {
        try options.masterPID.map { try ProcessSample.read(pid: $0) }
    }

    /// Polls `condition` every 50 ms; fails at once when a fake reported a problem, else after `limit`.
    private func waitUntil(
        _ what: String, _ ledger: FleetLedger, limit: TimeAmount,
        _ condition: () -> Bool
    ) async throws {
        let deadline = NIODeadline.now() + limit
        while !condition() {
            if let problem = ledger.problems.first { throw ProbeError("while waiting for \(what): \(problem)") }
            guard NIODeadline.now() < deadline else { throw ProbeError("timed out waiting for \(what)") }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
    }

    private static func close(_ channels: [any Channel], ledger: FleetLedger) async {
        ledger.beginClosing()
        for channel in channels { try? await channel.close() }
    }

    private static func sleep(until deadline: NIODeadline) async throws {
        let left = deadline - .now()
        if left > .zero { try await Task.sleep(nanoseconds: UInt64(left.nanoseconds)) }
    }

    /// Bytes of one stats frame on the wire (length prefix included).
    private static func frameBytes(_ factory: ReportFactory) throws -> Int {
        let sample = StatsReport(
            node: NodeID(rawValue: "fake-000"), run: RunID(rawValue: "r"), assignment: 1, sequence: 1,
            intervals: [factory.interval(second: 0, variant: 0)])
        var buffer = ByteBuffer()
        try FrameEncoder().encode(data: .stats(sample), out: &buffer)
        return buffer.readableBytes
    }

    static func ms(_ amount: TimeAmount) -> String {
        let value = Double(amount.nanoseconds) / 1e6
        return value < 10 ? String(format: "%.1f", value) : String(Int(value.rounded()))
    }
}

/// Progress for whoever watches; the report itself goes to stdout.
func log(_ text: String) {
    FileHandle.standardError.write(Data("fleetbench: \(text)\n".utf8))
}
