import Engine
import Logging
import NIOCore
import NIOSSL
import Protocol

extension MasterCore {
    /// A new connection: it may handshake unless too many are already handshaking, from anywhere
    /// or from its address; then it is closed at once with the cap as the reason.
    mutating func opened(_ link: Link, token: FleetToken) {
        let limits = configuration.limits
        var handshaking = 0
        var fromHost = 0
        for (other, state) in links.values {
            guard case .handshaking = state else { continue }
            handshaking += 1
            if other.host == link.host { fromHost += 1 }
        }
        if handshaking >= limits.maxHandshaking {
            return refuseConnection(link, reason: "\(handshaking) connections are in their handshake, the most allowed")
        }
        if fromHost >= limits.maxHandshakingPerAddress {
            return refuseConnection(
                link,
                reason: "\(fromHost) connections from \(link.host) are in their handshake, "
                    + "the most allowed from one address")
        }
        links[ObjectIdentifier(link)] = (
            link, .handshaking(MasterHandshake(token: token, binding: configuration.channelBinding), opened: now)
        )
        logger.debug("worker connection opened", metadata: ["loadd_peer": "\(link.address)"])
    }

    private func refuseConnection(_ link: Link, reason: String) {
        logger.warning("worker connection closed: \(reason)", metadata: ["loadd_peer": "\(link.address)"])
        link.close(reason: reason)
    }

    /// Sends on a link, logging (with the peer) when that closed it: over its outbound bound.
    func send(_ message: FederationMessage, on link: Link, worker: NodeID? = nil) {
        guard let reason = link.send(message) else { return }
        logClosed(link, worker: worker, reason: reason)
    }

    private func logClosed(_ link: Link, worker: NodeID?, reason: String) {
        Self.logClosed(link, worker: worker, reason: reason, logger: logger)
    }

    private static func logClosed(_ link: Link, worker: NodeID?, reason: String, logger: Logger) {
        var metadata: Logger.Metadata = ["loadd_peer": "\(link.address)"]
        if let worker { metadata["worker"] = "\(worker)" }
        logger.warning("worker connection closed: \(reason)", metadata: metadata)
    }

    /// One heartbeat to every member: the same encoded bytes, written by one task on each event loop
    /// for the links it serves (a thousand task wake-ups a beat cost the master more than the writes).
    /// A member with a stats ack due gets that frame instead (it proves the master alive as well).
    private func heartbeatMembers(acks: [NodeID: ByteBuffer]) {
        var byLoop: [ObjectIdentifier: (loop: any EventLoop, members: [(NodeID, Link)])] = [:]
        for (node, link) in memberLinks {
            let loop = link.channel.eventLoop
            byLoop[ObjectIdentifier(loop), default: (loop, [])].members.append((node, link))
        }
        let logger = self.logger
        for (loop, members) in byLoop.values {
            loop.execute {
                for (node, link) in members {
                    if let reason = link.write(now: acks[node] ?? FrameEncoder.heartbeat) {
                        Self.logClosed(link, worker: node, reason: reason, logger: logger)
                    }
                }
            }
        }
    }

    /// One message from a connection, in order; `sums` are a stats report's (see `StatsBudget.Sums`).
    mutating func received(_ message: FederationMessage, sums: StatsBudget.Sums?, on link: Link) {
        guard let entry = links[ObjectIdentifier(link)] else { return }
        switch entry.state {
        case .handshaking(var handshake, let opened):
            let step = handshake.receive(message)
            links[ObjectIdentifier(link)] = (link, .handshaking(handshake, opened: opened))
            handshakeStep(step, on: link)
        case .member(let node):
            membership.heard(from: node, now: now)
            memberMessage(message, sums: sums, from: node, on: link)
        }
    }

    private mutating func handshakeStep(_ step: MasterHandshake.Step, on link: Link) {
        let peer: Logger.Metadata = ["loadd_peer": "\(link.address)"]
        switch step {
        case .reply(let message):
            send(message, on: link)
        case .refuse(let refusal, let reason):
            // Warning: a wrong token or an old loadd is an operator's mistake to see in the journal.
            logger.warning("worker refused: \(reason)", metadata: peer)
            link.close(reason: reason, after: .refused(refusal))
        case .violation(let reason):
            logger.warning("worker connection closed: \(reason)", metadata: peer)
            link.close(reason: reason)
        case .authenticated(let hello):
            admit(hello, on: link)
        }
    }

    private mutating func admit(_ hello: Hello, on link: Link) {
        let member: FleetMembership.Member
        do {
            member = try membership.join(hello, address: link.address, now: now)
        } catch {
            logger.warning("worker refused: \(error.description)", metadata: ["loadd_peer": "\(link.address)"])
            link.close(reason: error.description, after: .refused(Refusal(reason: error.description)))
            return
        }
        links[ObjectIdentifier(link)] = (link, .member(hello.node))
        memberLinks[hello.node] = link
        // Trusted from here: its stats may be large. Raised before the welcome that lets it send them.
        link.frameLimit.authenticated()
        // Ahead of the heartbeats, which from now on include this member (see `Link.sendFirst`).
        if let reason = link.sendFirst(
            .welcome(Welcome(master: configuration.node, heartbeatTimeout: configuration.heartbeatTimeout)))
        {
            logClosed(link, worker: hello.node, reason: reason)
        }
        logger.info(
            "worker joined",
            metadata: [
                "loadd_peer": "\(link.address)", "worker": "\(hello.node)", "version": "\(hello.loaddVersion)",
                "cores": "\(hello.cores)", "threads": "\(hello.threads)", "max_users": "\(hello.maxUsers)",
                "weight": "\(hello.weight)", "workers": "\(membership.count)",
            ])
        guard run?.phase == .running else { return }
        let now = self.now
        update { $0.join(member.capacity, threads: hello.threads, now: now) }
        runLogger?.info(
            "load re-split: worker joined",
            metadata: [
                "worker": "\(hello.node)", "split": "\(run?.describeShares() ?? "")",
            ])
    }

    private mutating func memberMessage(
        _ message: FederationMessage, sums: StatsBudget.Sums?, from node: NodeID,
        on link: Link
    ) {
        let now = self.now
        switch message {
        case .heartbeat:
            break
        case .stats(let report):
            statsReceived(report, histograms: nil, sums: sums, from: node, on: link)
        case .workerState(let report):
            membership.record(report, from: node)
            if let reason = report.abortReason, report.run == run?.id {
                runLogger?.warning("worker ended its share", metadata: ["worker": "\(node)", "reason": "\(reason)"])
            }
            update { $0.workerReported(report, from: node, now: now) }
        case .statsEnd(let end):
            statsEnded(end, from: node, on: link)
        default:
            dropMember(node, link, reason: "\(message.kind.stringValue) is not a worker's message after the handshake")
        }
    }

    func dropMember(_ node: NodeID, _ link: Link, reason: String) {
        logger.warning(
            "worker connection closed: \(reason)", metadata: ["loadd_peer": "\(link.address)", "worker": "\(node)"])
        link.close(reason: reason)
    }

    /// Bytes that are not frames. A `hello` of another protocol version still gets its refusal.
    mutating func failed(_ link: Link, _ error: any Error) {
        // Reading a connection this side already closed fails too: that is not news.
        guard let entry = links[ObjectIdentifier(link)], link.localCloseReason == nil else { return }
        let peer: Logger.Metadata = ["loadd_peer": "\(link.address)"]
        if case .handshaking = entry.state, case FrameError.undecodable(_, let version?) = error,
            version != FederationProtocol.version
        {
            let refusal = MasterHandshake.versionRefusal(version)
            logger.warning("worker refused: \(refusal.reason)", metadata: peer)
            link.close(reason: refusal.reason, after: .refused(refusal))
            return
        }
        if case .handshaking = entry.state, case FrameError.outOfRange(let range) = error,
            range.field.hasPrefix("hello.")
        {
            // A worker's own configuration is out of range: tell it, so its journal says what to fix.
            logger.warning("worker refused: \(range)", metadata: peer)
            link.close(reason: range.description, after: .refused(Refusal(reason: range.description)))
            return
        }
        let reason =
            error is NIOSSLError
            ? "TLS handshake failed (\(error)): if the worker has insecure_plaintext: true, remove it (this master speaks TLS)"
            : "\(error)"
        logger.warning("worker connection closed: \(reason)", metadata: peer)
        link.close(reason: reason)
    }

    mutating func closed(_ link: Link, _ end: Link.End) {
        guard let entry = links.removeValue(forKey: ObjectIdentifier(link)) else { return }
        if case .handshaking(let handshake, _) = entry.state, link.localCloseReason == nil {
            if handshake.challenged {
                // The worker checks our proof first: one with another token hangs up right after the challenge.
                logger.warning(
                    "worker hung up during the handshake: its token_file likely differs from this master's",
                    metadata: ["loadd_peer": "\(link.address)"])
            } else if case .peerClosed = end {
                logger.notice(
                    "worker connection closed: the peer hung up before its hello",
                    metadata: ["loadd_peer": "\(link.address)"])
            }
        }
        // A link the ticker already expired is no longer the member's: its end changes nothing.
        guard case .member(let node) = entry.state, memberLinks[node] === link else { return }
        memberLinks[node] = nil
        guard let member = membership.leave(node) else { return }
        let reason: String =
            switch end {
            case .closed(let why): why
            case .peerClosed: "connection closed"
            case .failed(let error): "\(error)"
            }
        lost(member, reason: reason)
    }

    /// Moves a lost worker's load to the others.
    private mutating func lost(_ member: FleetMembership.Member, reason: String) {
        // Benched until it reconnects: when it does, it is a new member with a clean slate.
        if run?.benched[member.node] != nil { run?.benched[member.node] = nil }
        logger.warning(
            "worker lost",
            metadata: [
                "loadd_peer": "\(member.address)", "worker": "\(member.node)", "reason": "\(reason)",
                "workers": "\(membership.count)",
            ])
        guard run.map({ $0.phase != .finished && $0.shares[member.node] != nil }) == true else { return }
        let now = self.now
        run?.linkLost(member.node, now: now)
        // Re-split at the next tick, once for every worker lost meanwhile (see `FleetRun+Losses`).
        update { run in
            run.loseLater(member.node, reason: reason, now: now)
            return []
        }
    }

    // MARK: Ticker

    mutating func tick() {
        let now = self.now
        if now - lastHeartbeat >= configuration.heartbeatTimeout / 3 {
            lastHeartbeat = now
            heartbeatMembers(acks: takeAckFrames())
        }
        for member in membership.expire(now: now) {
            let reason = "no frame for \(configuration.heartbeatTimeout)"
            memberLinks.removeValue(forKey: member.node)?.close(reason: reason)
            lost(member, reason: reason)
        }
        // A connection that has not finished its handshake in time is closed: it holds a socket.
        let handshakeLimit = configuration.limits.handshakeDeadline(heartbeatTimeout: configuration.heartbeatTimeout)
        for (link, state) in links.values where link.localCloseReason == nil {
            if case .handshaking(_, let opened) = state, now - opened > handshakeLimit {
                let reason = "no handshake within \(handshakeLimit)"
                logger.warning("worker connection closed: \(reason)", metadata: ["loadd_peer": "\(link.address)"])
                link.close(reason: reason)
            }
        }
        let lost = run?.pendingLosses ?? 0
        update { $0.tick(now: now) }
        if lost > 0, run?.pendingLosses == 0, run?.phase == .running {
            runLogger?.warning(
                "load re-split: \(lost == 1 ? "worker" : "\(lost) workers") lost",
                metadata: [
                    "workers": "\(membership.count)", "split": "\(run?.describeShares() ?? "")",
                ])
        }
    }
}
