import NIOCore
import NIOPosix

@testable import Federation

/// A man in the middle who does everything but hold the token: it terminates each worker's TLS with
/// a certificate of its own, dials the master over TLS as a worker would (accepting any certificate),
/// and copies the decrypted bytes both ways. Without channel binding it could pass the token
/// handshake along and then read every frame.
final class TLSRelay: Sendable {
    let channel: any Channel
    var port: Int { channel.localAddress!.port! }

    init(group: any EventLoopGroup, identity: MasterTLS, masterPort: Int) async throws {
        let upstreamTLS = try WorkerTLS(pin: nil)
        channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { inbound in
                inbound.eventLoop.makeCompletedFuture {
                    let downstream = RelayPipe()
                    try inbound.pipeline.syncOperations.addHandlers([identity.handler(), downstream])
                    ClientBootstrap(group: inbound.eventLoop)
                        .channelInitializer { outbound in
                            outbound.eventLoop.makeCompletedFuture {
                                let upstream = RelayPipe()
                                try outbound.pipeline.syncOperations.addHandlers([
                                    upstreamTLS.handler(reportingTo: PinCheck()), upstream,
                                ])
                                upstream.pair(with: downstream)
                            }
                        }
                        .connect(host: "127.0.0.1", port: masterPort)
                        .whenFailure { _ in inbound.close(promise: nil) }
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    func close() async { try? await channel.close() }
}
