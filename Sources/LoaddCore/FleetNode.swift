import Engine
import Federation
import Logging
import NIOCore
import NIOPosix
import Protocol

/// This node's part in a fleet, from `role:`: nothing (standalone), the master, or a worker.
/// Federation traffic has event loops of its own, one per core, so a master decoding many
/// workers' stats never delays the control socket.
struct FleetNode: Sendable {
    enum Kind: Sendable {
        case standalone
        case master(FederationMaster)
        /// `master` is the `HOST:PORT` it dials, for messages.
        case worker(FederationWorker, master: String)
    }

    let kind: Kind
    private let group: MultiThreadedEventLoopGroup?

    static let standalone = FleetNode(kind: .standalone, group: nil)

    var master: FederationMaster? {
        if case .master(let master) = kind { master } else { nil }
    }

    var worker: FederationWorker? {
        if case .worker(let worker, _) = kind { worker } else { nil }
    }

    /// Builds the role's federation piece from the settings; the master binds its port here, so a
    /// port in use stops the daemon at start-up with the address named.
    /// - Throws: `DaemonStartError` for a missing or unreadable token, or a port that cannot be bound.
    static func make(_ settings: DaemonSettings, capacity: UserCapacity, logger: Logger,
                     protocolVersion: UInt16?) async throws -> FleetNode {
        guard settings.role != .standalone else { return .standalone }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        do {
            return try await make(settings, capacity: capacity, group: group, logger: logger,
                                  protocolVersion: protocolVersion)
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    private static func make(_ settings: DaemonSettings, capacity: UserCapacity, group: MultiThreadedEventLoopGroup,
                             logger: Logger, protocolVersion: UInt16?) async throws -> FleetNode {
        let token: FleetToken
        do {
            token = try FleetToken.read(path: settings.file.tokenFile ?? "")
        } catch {
            throw DaemonStartError(message: error.description)
        }
        let timeout = settings.file.heartbeatTimeout ?? FleetMembership.defaultHeartbeatTimeout
        let node = NodeID(rawValue: settings.node)
        if settings.role == .master {
            let (host, port) = split(settings.file.listen ?? "0.0.0.0:\(FederationProtocol.defaultPort)")
            var tls: MasterTLS?
            if let certificate = settings.file.tlsCert, let key = settings.file.tlsKey {
                do {
                    tls = try MasterTLS.load(certificate: certificate, key: key)
                } catch {
                    throw DaemonStartError(message: error.description)
                }
            }
            let master = FederationMaster(
                configuration: MasterConfiguration(node: node, host: host, port: port, token: token,
                                                   heartbeatTimeout: timeout, version: RunManager.version, tls: tls),
                group: group, logger: logger)
            do {
                try await master.start()
            } catch {
                throw DaemonStartError(message: "cannot listen for workers on \(host):\(port) (listen:): \(error)")
            }
            return FleetNode(kind: .master(master), group: group)
        }
        let address = settings.file.master ?? ""
        let (host, port) = split(address)
        let tls: WorkerTLS?
        do {
            tls = try settings.file.tlsFingerprint.map { pin throws(FederationError) in try WorkerTLS(pin: pin) }
        } catch {
            throw DaemonStartError(message: error.description)
        }
        let worker = FederationWorker(
            configuration: WorkerConfiguration(
                node: node, masterHost: host, masterPort: port, token: token, version: RunManager.version,
                threads: settings.threads, cores: EngineOptions.defaultThreads, weight: settings.file.weight ?? 1,
                maxUsers: capacity.maxUsers,
                heartbeatTimeout: timeout, protocolVersion: protocolVersion ?? FederationProtocol.version, tls: tls),
            group: group, logger: logger)
        await worker.start()
        return FleetNode(kind: .worker(worker, master: address), group: group)
    }

    /// `HOST:PORT` (already checked by the config reader); `[v6]:PORT` loses its brackets.
    static func split(_ address: String) -> (host: String, port: Int) {
        let parsed = try? HostPort(parsing: address, ports: 1...65535, bareIPv6: true)
        return parsed.map { ($0.host, $0.port) } ?? (address, FederationProtocol.defaultPort)
    }

    /// Stops the federation side: a worker stops its share and its reconnecting, a master closes
    /// its workers' connections (after the run manager has stopped the run).
    func shutdown() async {
        switch kind {
        case .standalone: return
        case .master(let master): await master.shutdown()
        case .worker(let worker, _): await worker.shutdown()
        }
        try? await group?.shutdownGracefully()
    }
}
