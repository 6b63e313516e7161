import NIOCore

extension NIOAsyncChannel where Outbound == Never {
    /// The one accept loop of loadd's servers (the control socket, a fleet master's port): accepts
    /// connections until the listener closes or the calling task is cancelled, serving each in its
    /// own child task, so a slow or hostile peer holds up nobody else. Returns once every connection's
    /// task has ended; cancellation reaches them all.
    /// - Throws: the listener's error, when accepting fails.
    public func acceptEach(_ serve: @escaping @Sendable (Inbound) async -> Void) async throws {
        try await withThrowingDiscardingTaskGroup { group in
            try await executeThenClose { connections in
                for try await connection in connections {
                    group.addTask { await serve(connection) }
                }
            }
            group.cancelAll()
        }
    }
}
