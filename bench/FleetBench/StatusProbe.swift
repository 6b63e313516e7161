import Foundation
import NIOCore
import NIOPosix
import Protocol

/// Reads the master's merged request count as `loadctl status` does: `GET /v1/status` over its Unix
/// socket, one connection per request. Raw HTTP/1.1 with `Connection: close`: the reply ends at EOF,
/// so no HTTP library is needed for one fixed request.
struct StatusProbe: Sendable {
    let socket: String
    let group: any EventLoopGroup

    /// Just the figure the delay needs out of the status.
    private struct Status: Decodable {
        struct Summary: Decodable {
            struct Total: Decodable { var requests: UInt64 }
            var total: Total
        }
        var summary: Summary?
    }

    /// Requests in the current run's merged summary (0 before it has one).
    func totalRequests() async throws -> UInt64 {
        let status = try WireJSON.decode(Status.self, from: try await body(of: "/v1/status"))
        return status.summary?.total.requests ?? 0
    }

    /// Workers connected to the master (`GET /v1/workers`).
    func workerCount() async throws -> Int {
        struct Worker: Decodable {}
        return try WireJSON.decode([Worker].self, from: try await body(of: "/v1/workers")).count
    }

    /// The body of a 200 answer to `GET path`.
    private func body(of path: String) async throws -> Data {
        let channel = try await ClientBootstrap(group: group).connect(unixDomainSocketPath: socket) { channel in
            channel.eventLoop.makeCompletedFuture {
                try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
            }
        }
        let reply = try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(
                ByteBuffer(string: "GET \(path) HTTP/1.1\r\nHost: loadd\r\nConnection: close\r\n\r\n"))
            var reply = ByteBuffer()
            for try await chunk in inbound { reply.writeImmutableBuffer(chunk) }
            return reply
        }
        let bytes = Array(reply.readableBytesView)
        let separator = Array("\r\n\r\n".utf8)
        guard bytes.starts(with: Array("HTTP/1.1 200".utf8)),
            let end = bytes.indices.first(where: { bytes[$0...].starts(with: separator) })
        else {
            throw ProbeError("GET \(path): \(String(decoding: bytes.prefix(200), as: UTF8.self))")
        }
        return Data(bytes[(end + separator.count)...])
    }
}

struct ProbeError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The delay from delta to merged view: for each second of the stream, from the moment its last
/// report went out until `GET /v1/status` first shows a total that includes it, polling every
/// `interval`. The figure is an upper bound, as coarse as the poll interval.
struct DelaySampler: Sendable {
    let probe: StatusProbe
    let interval: TimeAmount
    /// A second not merged this long after it was sent is counted as missed, not waited for.
    let giveUp: TimeAmount = .seconds(5)

    struct Samples: Sendable {
        var delays: [TimeAmount] = []
        var missed: [Int] = []
        var polls = 0
        /// How long each `GET /v1/status` took to answer: the master computes the merged summary.
        var pollTimes: [TimeAmount] = []
        var errors: [String] = []
    }

    /// Samples every second of the stream from `first` on; earlier ones pass unpolled, so the
    /// master's CPU before then is the stream's alone.
    func run(_ seconds: AsyncStream<FleetLedger.SecondSent>, from first: Int) async -> Samples {
        var samples = Samples()
        for await sent in seconds where sent.second >= first {
            while true {
                samples.polls += 1
                let asked = NIODeadline.now()
                let total: UInt64
                do {
                    total = try await probe.totalRequests()
                } catch {
                    samples.errors.append("\(error)")
                    break
                }
                let now = NIODeadline.now()
                samples.pollTimes.append(now - asked)
                if total >= sent.expectedTotal {
                    samples.delays.append(now - sent.lastSentAt)
                    break
                }
                if now - sent.lastSentAt > giveUp {
                    samples.missed.append(sent.second)
                    break
                }
                try? await Task.sleep(nanoseconds: UInt64(interval.nanoseconds))
            }
        }
        return samples
    }
}
