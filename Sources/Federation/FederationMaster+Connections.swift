import Logging
import NIOCore
import Protocol

extension FederationMaster {
    /// Accepts connections until the listener closes; each is served in its own child task, so a
    /// slow or hostile peer holds up nobody else.
    func accept(_ listener: NIOAsyncChannel<AcceptedConnection, Never>) async {
        do {
            try await listener.acceptEach { await self.serve($0) }
        } catch {
            logger.notice("federation listener stopped", metadata: ["error": "\(error)"])
        }
    }

    /// Runs the connection's writer and waits for its end; its messages are handled as they are
    /// read (`MasterInbound`), its read error and end here, after them.
    private func serve(_ accepted: AcceptedConnection) async {
        let link = accepted.link
        let end = await link.run(
            accepted.connection, onMessage: { _ in },
            onFailure: { error in
                self.withCore { $0.failed(link, error) }
            })
        withCore { $0.closed(link, end) }
    }
}
