import Engine
import Federation
import Foundation
import Protocol
import Yams

/// What a node does in a fleet (`role:`): runs tests alone, accepts workers (`listen:`), or dials
/// a master (`master:`); fleet nodes share the secret in `token_file:`.
enum NodeRole: String, Sendable, CaseIterable {
    case standalone, master, worker
}

/// The keys of `/etc/loadd/loadd.yaml`, each `nil` when the file leaves it out.
struct ConfigFile: Equatable, Sendable {
    var socket: String?
    var stateDir: String?
    var node: String?
    /// Engine threads; 0 means one per core.
    var threads: Int?
    /// Most users per run; 0 means as many as the open-files limit allows.
    var maxUsers: Int?
    var role: NodeRole?
    var master: String?
    var listen: String?
    var tokenFile: String?
    var heartbeatTimeout: Duration?
    /// A worker's claim on a fleet run's load is `cores × weight`; 0 makes it a standby that takes none.
    var weight: Double?
    /// A master's TLS certificate (PEM, may be self-signed) and its key.
    var tlsCert: String?
    var tlsKey: String?
    /// A worker's pin: the SHA-256 fingerprint of the master's certificate.
    var tlsFingerprint: CertificateFingerprint?
    /// Federation over plain TCP instead of TLS (the default); on master and workers alike.
    var insecurePlaintext: Bool?
    /// The only folder `loadctl start --remote-files` may read data files from.
    var dataDir: String?
    /// Control-socket limits (`ControlLimits`): open connections, and how long a client may take to
    /// send a request or leave a kept-alive connection idle.
    var controlConnections: Int?
    var controlRequestTimeout: Duration?
    var controlIdleTimeout: Duration?
    /// Run retention (`RunRetention`): runs kept, and days a run is kept; 0 or `off` turns one off.
    var keepRuns: Int?
    var keepDays: Int?
    /// Where Prometheus may scrape `GET /metrics` over TCP (`MetricsAddress`); off when unset.
    var metricsListen: MetricsAddress?
    /// How long after the daemon went away a run it had going is carried on (`RunResumption`); 0: never.
    var resumeWithin: Duration?

    static let keys = [
        "socket", "state_dir", "node", "threads", "max_users", "role", "master", "listen",
        "token_file", "heartbeat_timeout", "weight", "tls_cert", "tls_key", "tls_fingerprint", "insecure_plaintext",
        "data_dir", "control_connections", "control_request_timeout", "control_idle_timeout",
        "keep_runs", "keep_days", "metrics_listen", "resume_within",
    ]
}

/// Every problem of one config file, one `FILE:LINE:COL: key: message` per line.
struct ConfigError: Error, CustomStringConvertible {
    var lines: [String]
    var description: String { lines.joined(separator: "\n") }
}

extension ConfigFile {
    /// Reads `path`. A missing file is an error only when `required` (named with `--config`): the
    /// default path may well not exist on a laptop, and then the defaults apply.
    static func load(path: String, required: Bool) throws -> ConfigFile {
        guard FileManager.default.fileExists(atPath: path) else {
            if required { throw ConfigError(lines: ["\(path): no such file"]) }
            return ConfigFile()
        }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(lines: ["\(path): cannot read: \(error.localizedDescription)"])
        }
        return try parse(yaml: text, file: path)
    }

    /// Parses config text; `file` names it in errors. Reports every problem, not just the first.
    static func parse(yaml: String, file: String) throws -> ConfigFile {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw ConfigError(lines: [ScenarioLoader.yamlError(error, file: file).description])
        }
        var reader = ConfigReader(file: file)
        let config = reader.read(root)
        guard reader.problems.isEmpty else { throw ConfigError(lines: reader.problems) }
        return config
    }
}

/// Walks the composed document, collecting located problems.
private struct ConfigReader {
    let file: String
    var problems: [String] = []

    mutating func fail(_ node: Node, _ key: String, _ message: String) {
        let place = node.mark.map { ":\($0.line):\($0.column)" } ?? ""
        problems.append("\(file)\(place): \(key.isEmpty ? "" : "\(key): ")\(message)")
    }

    mutating func read(_ root: Node?) -> ConfigFile {
        var config = ConfigFile()
        // A file of comments only composes to nothing: all defaults.
        guard let root, !root.isNull else { return config }
        guard case .mapping(let mapping) = root else {
            fail(root, "", "expected a mapping of settings (key: value)")
            return config
        }
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode, ConfigFile.keys.contains(scalar.string) else {
                fail(
                    keyNode, keyNode.string ?? "",
                    "unknown key; expected one of: \(ConfigFile.keys.joined(separator: ", "))")
                continue
            }
            // An explicit null (`node:` with nothing after it) means "the default", as if left out.
            if value.isNull { continue }
            let key = scalar.string
            switch key {
            case "socket": config.socket = path(value, key)
            case "state_dir": config.stateDir = path(value, key)
            case "node": config.node = text(value, key)
            case "threads": config.threads = count(value, key)
            case "max_users": config.maxUsers = count(value, key)
            case "role":
                guard let raw = text(value, key) else { continue }
                guard let role = NodeRole(rawValue: raw) else {
                    fail(value, key, "expected one of: standalone, master, worker; got '\(raw)'")
                    continue
                }
                config.role = role
            case "master": config.master = hostPort(value, key)
            case "listen": config.listen = hostPort(value, key)
            case "token_file": config.tokenFile = path(value, key)
            case "weight": config.weight = weight(value, key)
            case "tls_cert": config.tlsCert = path(value, key)
            case "tls_key": config.tlsKey = path(value, key)
            case "insecure_plaintext":
                guard let raw = text(value, key) else { continue }
                guard let flag = ["true": true, "false": false][raw] else {
                    fail(value, key, "expected true or false, got '\(raw)'")
                    continue
                }
                config.insecurePlaintext = flag
            case "data_dir": config.dataDir = path(value, key)
            case "control_connections":
                guard let raw = text(value, key) else { continue }
                guard let number = Int(raw), ControlLimits.connectionRange.contains(number) else {
                    fail(
                        value, key,
                        "expected a whole number from \(ControlLimits.connectionRange.lowerBound) to "
                            + "\(ControlLimits.connectionRange.upperBound), got '\(raw)'")
                    continue
                }
                config.controlConnections = number
            case "control_request_timeout", "control_idle_timeout":
                guard let raw = text(value, key) else { continue }
                guard let duration = DurationParser.parse(raw), ControlLimits.timeoutRange.contains(duration) else {
                    fail(value, key, "expected a duration from 100ms to 1h, such as 10s, got '\(raw)'")
                    continue
                }
                if key == "control_request_timeout" {
                    config.controlRequestTimeout = duration
                } else {
                    config.controlIdleTimeout = duration
                }
            case "keep_runs": config.keepRuns = limit(value, key, RunRetention.keepRunsRange, unit: "runs")
            case "keep_days": config.keepDays = limit(value, key, RunRetention.keepDaysRange, unit: "days")
            case "metrics_listen":
                guard let raw = text(value, key) else { continue }
                let (address, problem) = MetricsAddress.parse(raw)
                if let problem { fail(value, key, problem) }
                config.metricsListen = address
            case "tls_fingerprint":
                guard let raw = text(value, key) else { continue }
                guard let pin = CertificateFingerprint(parsing: raw) else {
                    fail(
                        value, key,
                        "expected the master certificate's SHA-256 fingerprint, 32 bytes of hex "
                            + "(openssl x509 -in CERT -noout -fingerprint -sha256), got '\(raw)'")
                    continue
                }
                config.tlsFingerprint = pin
            case "resume_within":
                guard let raw = text(value, key) else { continue }
                let range = RunResumption.withinRange
                let parsed: Duration? = raw == "0" || raw == "off" ? .zero : DurationParser.parse(raw)
                guard let duration = parsed, range.contains(duration) else {
                    fail(value, key, "expected a duration from 0s (off) to 1h such as 60s or 5m, got '\(raw)'")
                    continue
                }
                config.resumeWithin = duration
            case "heartbeat_timeout":
                guard let raw = text(value, key) else { continue }
                // The range a `welcome` frame may carry, so workers never refuse what their master sends.
                let range = FieldRanges.heartbeatTimeoutMs
                guard let duration = DurationParser.parse(raw),
                    duration >= .milliseconds(range.lowerBound), duration <= .milliseconds(range.upperBound)
                else {
                    fail(value, key, "expected a duration from 100ms to 1h such as 3s or 500ms, got '\(raw)'")
                    continue
                }
                config.heartbeatTimeout = duration
            default:
                // Every name in `ConfigFile.keys` has a case above; one without would be a loadd bug,
                // refused by name rather than read as some other key.
                fail(keyNode, key, "is a known key that this loadd does not read (a bug: please report it)")
            }
        }
        return config
    }

    private mutating func text(_ node: Node, _ key: String) -> String? {
        guard case .scalar(let scalar) = node, !scalar.string.isEmpty else {
            fail(node, key, "expected text")
            return nil
        }
        return scalar.string
    }

    private mutating func path(_ node: Node, _ key: String) -> String? {
        guard let value = text(node, key) else { return nil }
        guard value.hasPrefix("/") else {
            fail(node, key, "expected an absolute path, got '\(value)'")
            return nil
        }
        return value
    }

    private mutating func count(_ node: Node, _ key: String) -> Int? {
        guard let raw = text(node, key) else { return nil }
        guard let value = Int(raw), value >= 0 else {
            fail(node, key, "expected a whole number, 0 or more, got '\(raw)'")
            return nil
        }
        return value
    }

    /// A retention limit: a whole number in `range`, with `off` (or 0) for no limit.
    private mutating func limit(_ node: Node, _ key: String, _ range: ClosedRange<Int>, unit: String) -> Int? {
        guard let raw = text(node, key) else { return nil }
        if raw == "off" { return 0 }
        guard let value = Int(raw), range.contains(value) else {
            fail(
                node, key,
                "expected a whole number of \(unit) from \(range.lowerBound) to \(range.upperBound), "
                    + "or off (or 0) for no such limit, got '\(raw)'")
            return nil
        }
        return value
    }

    private mutating func weight(_ node: Node, _ key: String) -> Double? {
        guard let raw = text(node, key) else { return nil }
        guard let value = Double(raw), value.isFinite, value >= 0, value <= 1000 else {
            fail(node, key, "expected a number from 0 to 1000 (a worker's share is cores × weight), got '\(raw)'")
            return nil
        }
        return value
    }

    private mutating func hostPort(_ node: Node, _ key: String) -> String? {
        guard let raw = text(node, key) else { return nil }
        guard (try? HostPort(parsing: raw, ports: 1...65535, bareIPv6: true)) != nil else {
            fail(node, key, "expected HOST:PORT, got '\(raw)'")
            return nil
        }
        return raw
    }
}
