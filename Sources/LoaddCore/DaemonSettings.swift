import Engine
import Glibc
import Protocol

/// Command-line values, which win over the config file (also after a reload).
public struct FlagOverrides: Sendable {
    var socket: String?
    var stateDir: String?
    var node: String?
    var threads: Int?
    /// Hidden test flag: the federation protocol version a worker claims in its `hello`.
    var federationProtocolVersion: UInt16? = nil

    public init(socket: String?, stateDir: String?, node: String?, threads: Int?, federationProtocolVersion: UInt16?) {
        self.socket = socket
        self.stateDir = stateDir
        self.node = node
        self.threads = threads
        self.federationProtocolVersion = federationProtocolVersion
    }
}

/// The settings in effect: flags, else the config file, else systemd's environment, else defaults.
public struct DaemonSettings: Equatable, Sendable {
    var socketPath: String
    var stateDir: String
    var node: String
    /// Engine threads per run, already resolved (never 0).
    var threads: Int
    /// `max_users:` as configured; 0 leaves the open-files limit as the only bound.
    var maxUsersSetting: Int
    var role: NodeRole
    /// `data_dir:`, where `--remote-files` reads data files from.
    var dataDir: String
    /// `keep_runs:`/`keep_days:`, defaults filled in.
    var retention: RunRetention
    /// `resume_within:`, default filled in (`RunResumption`).
    var resumeWithin: Duration = RunResumption.defaultWithin
    /// The file as read, federation keys included, for what is not resolved here.
    var file: ConfigFile

    public static let defaultConfigPath = "/etc/loadd/loadd.yaml"
    public static let defaultStateDir = "/var/lib/loadd"
    static let defaultDataDir = "/var/lib/loadd/data"

    static func resolve(file: ConfigFile, flags: FlagOverrides, environment: [String: String]) -> DaemonSettings {
        // systemd may list several directories separated by ':'; loadd's units name one each.
        func systemdDirectory(_ name: String) -> String? {
            environment[name].flatMap { $0.split(separator: ":").first.map(String.init) }
        }
        let socket =
            flags.socket ?? file.socket
            ?? systemdDirectory("RUNTIME_DIRECTORY").map { "\($0)/loadd.sock" } ?? ControlAPI.defaultSocketPath
        let stateDir = flags.stateDir ?? file.stateDir ?? systemdDirectory("STATE_DIRECTORY") ?? defaultStateDir
        let threads = flags.threads ?? file.threads ?? 0
        return DaemonSettings(
            socketPath: socket, stateDir: stateDir, node: flags.node ?? file.node ?? hostName(),
            threads: threads > 0 ? threads : EngineOptions.defaultThreads,
            maxUsersSetting: file.maxUsers ?? 0, role: file.role ?? inferredRole(file),
            dataDir: file.dataDir ?? defaultDataDir,
            retention: RunRetention(
                keepRuns: file.keepRuns ?? RunRetention.defaults.keepRuns,
                keepDays: file.keepDays ?? RunRetention.defaults.keepDays),
            resumeWithin: file.resumeWithin ?? RunResumption.defaultWithin, file: file)
    }

    /// Without `role:`, naming a master makes a worker and a `listen:` address makes a master:
    /// the two lines a fleet node's config needs, as the README's "Run a fleet" says.
    static func inferredRole(_ file: ConfigFile) -> NodeRole {
        if file.master != nil { return .worker }
        if file.listen != nil { return .master }
        return .standalone
    }

    /// What a reload changes, in words for the log: what takes effect now (for the next run) and what
    /// only a restart applies, because the socket is bound and the run store open.
    func changes(to new: DaemonSettings) -> (applied: [String], needRestart: [String]) {
        var applied: [String] = []
        var restart: [String] = []
        if new.socketPath != socketPath { restart.append("socket \(socketPath) → \(new.socketPath)") }
        if new.stateDir != stateDir { restart.append("state_dir \(stateDir) → \(new.stateDir)") }
        if new.role != role { restart.append("role \(role.rawValue) → \(new.role.rawValue)") }
        if new.node != node { applied.append("node \(node) → \(new.node)") }
        if new.threads != threads { applied.append("threads \(threads) → \(new.threads)") }
        if new.maxUsersSetting != maxUsersSetting {
            applied.append("max_users \(maxUsersSetting) → \(new.maxUsersSetting)")
        }
        if new.dataDir != dataDir { applied.append("data_dir \(dataDir) → \(new.dataDir)") }
        if new.resumeWithin != resumeWithin {
            applied.append(
                "resume_within \(RunResumption.describe(resumeWithin)) → \(RunResumption.describe(new.resumeWithin))")
        }
        if new.retention != retention {
            applied.append("retention \(retention.description) → \(new.retention.description)")
        }
        let control: [(String, String?, String?)] = [
            (
                "control_connections", file.controlConnections.map { "\($0)" },
                new.file.controlConnections.map { "\($0)" }
            ),
            (
                "control_request_timeout", file.controlRequestTimeout.map { "\($0)" },
                new.file.controlRequestTimeout.map { "\($0)" }
            ),
            (
                "control_idle_timeout", file.controlIdleTimeout.map { "\($0)" },
                new.file.controlIdleTimeout.map { "\($0)" }
            ),
            ("metrics_listen", file.metricsListen.map { "\($0)" }, new.file.metricsListen.map { "\($0)" }),
        ]
        // The control server is set up once, at start.
        for (key, old, value) in control where old != value {
            restart.append("\(key) \(old ?? "default") → \(value ?? "default")")
        }
        let federation: [(String, String?, String?)] = [
            ("master", file.master, new.file.master), ("listen", file.listen, new.file.listen),
            ("token_file", file.tokenFile, new.file.tokenFile),
            ("heartbeat_timeout", file.heartbeatTimeout.map { "\($0)" }, new.file.heartbeatTimeout.map { "\($0)" }),
            // Told to the master in the worker's hello.
            ("weight", file.weight.map { "\($0)" }, new.file.weight.map { "\($0)" }),
            ("tls_cert", file.tlsCert, new.file.tlsCert), ("tls_key", file.tlsKey, new.file.tlsKey),
            ("tls_fingerprint", file.tlsFingerprint.map { "\($0)" }, new.file.tlsFingerprint.map { "\($0)" }),
            ("insecure_plaintext", file.insecurePlaintext.map { "\($0)" }, new.file.insecurePlaintext.map { "\($0)" }),
        ]
        // The fleet connection (listening socket or the dial to the master) is made once, at start.
        for (key, old, value) in federation where old != value {
            restart.append("\(key) \(old ?? "unset") → \(value ?? "unset")")
        }
        return (applied, restart)
    }

    /// A role's required keys, checked at start so a fleet node never runs half-configured: a
    /// worker without `master:` would silently run alone while the operator believes it joined.
    func checkRole() throws {
        var problems: [String] = []
        switch role {
        case .standalone:
            return
        case .master:
            if file.tokenFile == nil { problems.append("role: master needs token_file: (the fleet's shared secret)") }
            if (file.tlsCert == nil) != (file.tlsKey == nil) {
                problems.append("tls_cert: and tls_key: go together (the master's certificate and its private key)")
            }
            if file.tlsFingerprint != nil {
                problems.append(
                    "tls_fingerprint: is a worker's pin of its master's certificate; a master serves tls_cert:")
            }
            if file.insecurePlaintext == true, file.tlsCert != nil || file.tlsKey != nil {
                problems.append(
                    "insecure_plaintext: true and tls_cert:/tls_key: contradict each other; "
                        + "remove one (without both the master makes its own certificate)")
            }
        case .worker:
            if file.master == nil {
                problems.append("role: worker needs master: HOST:PORT (the master's listen address)")
            }
            if file.tokenFile == nil {
                problems.append("role: worker needs token_file: (the same secret as the master's)")
            }
            if file.tlsCert != nil || file.tlsKey != nil {
                problems.append(
                    "tls_cert:/tls_key: are the master's; a worker pins the master's certificate with tls_fingerprint:")
            }
            if file.insecurePlaintext == true, file.tlsFingerprint != nil {
                problems.append("insecure_plaintext: true and tls_fingerprint: contradict each other; remove one")
            }
        }
        if !problems.isEmpty { throw ConfigError(lines: problems) }
    }

    private static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
