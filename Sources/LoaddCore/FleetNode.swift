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
    /// port in use stops the daemon at start-up with the address named. `FleetService` runs it.
    /// - Throws: `DaemonStartError` for a missing or unreadable token, or a port that cannot be bound.
    static func make(
        _ settings: DaemonSettings, capacity: UserCapacity, logger: Logger,
        protocolVersion: UInt16?
    ) async throws -> FleetNode {
        guard settings.role != .standalone else { return .standalone }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        do {
            return try await make(
                settings, capacity: capacity, group: group, logger: logger,
                protocolVersion: protocolVersion)
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    private static func make(
        _ settings: DaemonSettings, capacity: UserCapacity, group: MultiThreadedEventLoopGroup,
        logger: Logger, protocolVersion: UInt16?
    ) async throws -> FleetNode {
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
            let tls = try masterTLS(settings, logger: logger)
            let master = FederationMaster(
                configuration: MasterConfiguration(
                    node: node, host: host, port: port, token: token,
                    heartbeatTimeout: timeout, version: RunManager.version, tls: tls),
                group: group, logger: logger)
            do {
                try await master.bind()
            } catch {
                throw DaemonStartError(message: "cannot listen for workers on \(host):\(port) (listen:): \(error)")
            }
            return FleetNode(kind: .master(master), group: group)
        }
        let address = settings.file.master ?? ""
        let (host, port) = split(address)
        let tls: WorkerTLS?
        if settings.file.insecurePlaintext == true {
            logger.warning(
                "\(Self.plaintextWarning("this worker speaks to its master over plain TCP"))",
                metadata: ["master": "\(address)"])
            tls = nil
        } else {
            do {
                tls = try WorkerTLS(pin: settings.file.tlsFingerprint)
            } catch {
                throw DaemonStartError(message: error.description)
            }
        }
        let worker = FederationWorker(
            configuration: WorkerConfiguration(
                node: node, masterHost: host, masterPort: port, token: token, version: RunManager.version,
                threads: settings.threads, cores: EngineOptions.defaultThreads, weight: settings.file.weight ?? 1,
                maxUsers: capacity.maxUsers,
                heartbeatTimeout: timeout, protocolVersion: protocolVersion ?? FederationProtocol.version, tls: tls),
            group: group, logger: logger)
        // It dials once its fleet service runs it.
        return FleetNode(kind: .worker(worker, master: address), group: group)
    }

    /// Logged at every start of a node with `insecure_plaintext: true`.
    static func plaintextWarning(_ what: String) -> String {
        "insecure_plaintext: true: \(what); scenarios, their secrets and statistics cross the network unencrypted"
    }

    /// The master's TLS: the operator's certificate (`tls_cert:`/`tls_key:`), else its own, made in
    /// the state directory on first start; `nil` only with `insecure_plaintext: true`, warned of at
    /// every start. - Throws: `DaemonStartError` naming the file that cannot be used.
    private static func masterTLS(_ settings: DaemonSettings, logger: Logger) throws -> MasterTLS? {
        do {
            if let certificate = settings.file.tlsCert, let key = settings.file.tlsKey {
                return try MasterTLS.load(certificate: certificate, key: key)
            }
            if settings.file.insecurePlaintext == true {
                logger.warning("\(Self.plaintextWarning("workers connect over plain TCP"))")
                return nil
            }
            let identity = try MasterIdentity.loadOrCreate(
                stateDirectory: settings.stateDir,
                commonName: "loadd master \(settings.node)")
            let what =
                identity.created
                ? "made this master's TLS key and self-signed certificate"
                : "serving this master's TLS certificate"
            logger.notice(
                "\(what)",
                metadata: [
                    "tls_fingerprint": "\(identity.tls.fingerprint)", "certificate": "\(identity.certificatePath)",
                    "key": "\(identity.keyPath)",
                ])
            return identity.tls
        } catch {
            throw DaemonStartError(message: error.description)
        }
    }

    /// `HOST:PORT` (already checked by the config reader); `[v6]:PORT` loses its brackets.
    static func split(_ address: String) -> (host: String, port: Int) {
        let parsed = try? HostPort(parsing: address, ports: 1...65535, bareIPv6: true)
        return parsed.map { ($0.host, $0.port) } ?? (address, FederationProtocol.defaultPort)
    }

    /// Stops the federation side: a worker stops its share and its reconnecting, a master closes
    /// its workers' connections (after the run manager has stopped the run).
    func stopRole() async {
        switch kind {
        case .standalone: return
        case .master(let master): await master.shutdown()
        case .worker(let worker, _): await worker.shutdown()
        }
    }

    /// Stops the federation event loops, once nothing runs on them.
    func stopEventLoops() async {
        try? await group?.shutdownGracefully()
    }

    /// Gives the role up before its service ran (start-up failed after it was made).
    func shutdown() async {
        await stopRole()
        await stopEventLoops()
    }
}
