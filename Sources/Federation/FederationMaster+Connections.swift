import Logging
import NIOCore
import Protocol

extension FederationMaster {
    /// Accepts connections until the listener closes; each is served in its own child task, so a
    /// slow or hostile peer holds up nobody else.
    func accept(_ listener: NIOAsyncChannel<AcceptedConnection, Never>) async {
        do {
            try await withThrowingDiscardingTaskGroup { group in
                try await listener.executeThenClose { connections in
                    for try await connection in connections {
                        group.addTask { await self.serve(connection) }
                    }
                }
                group.cancelAll()
            }
        } catch {
            logger.notice("federation listener stopped", metadata: ["error": "\(error)"])
        }
    }

    private func serve(_ accepted: AcceptedConnection) async {
        let connection = accepted.connection
        let link = Link(channel: connection.channel, frameLimit: accepted.frameLimit,
                        maxQueuedBytes: configuration.limits.maxQueuedBytes)
        let token = configuration.token
        // Over a cap the link is closed at once; serving it still runs the close down in order.
        withCore { $0.opened(link, token: token) }
        let end = await link.run(connection, onMessage: { message in
            // A report's sums are walked here, not under the lock every worker's merge shares.
            let sums: StatsBudget.Sums? = if case .stats(let report) = message { StatsBudget.Sums(report) } else { nil }
            self.withCore { $0.received(message, sums: sums, on: link) }
        }, onFailure: { error in
            self.withCore { $0.failed(link, error) }
        })
        withCore { $0.closed(link, end) }
    }
}
