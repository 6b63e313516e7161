import NIOCore
import Protocol

/// Hands each decoded message of one worker connection to the master on the event loop that read
/// it, in order, instead of passing it on to the connection's async reader. With 1,000 workers the
/// master receives ~3,000 frames a second; waking a task on the concurrency pool for each one (a
/// thread switch and a futex wake per frame) cost more than decoding and merging them together
/// (`bench/fleet.sh 1000`: 26 % of a core before, see the README's table for after). Errors and the
/// connection's end still reach the async side (`Link.run`), after every message read before them.
final class MasterInbound: ChannelInboundHandler, Sendable {
    typealias InboundIn = MasterFrame
    typealias InboundOut = FederationMessage

    private let master: FederationMaster
    private let link: Link

    init(master: FederationMaster, link: Link) {
        self.master = master
        self.link = link
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch Self.unwrapInboundIn(data) {
        case .stats(let packed):
            master.withCore { $0.received(packed, on: link) }
        case .message(let message):
            // A report's sums are walked here, not under the lock every worker's merge shares.
            let sums: StatsBudget.Sums? = if case .stats(let report) = message { StatsBudget.Sums(report) } else { nil }
            master.withCore { $0.received(message, sums: sums, on: link) }
        }
    }
}
