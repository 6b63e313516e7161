import Yams

extension YAMLReader {
    static let tlsKeys = ["ca_file", "insecure", "client_cert", "client_key", "server_name"]

    /// `http:` and `tls:` at the top of a scenario. The PEM files are read through `readData`, the
    /// same path as `data:` CSVs, so they travel in the bundle `loadctl start` sends and a master
    /// forwards to its workers.
    mutating func transport(_ top: Fields, readData: (String) -> Result<String, Problem>) -> TransportPlan {
        var plan = TransportPlan()
        if let node = top["http"], let version = httpVersion(node) { plan.http = version }
        if let node = top["tls"], let tls = tls(node, readData: readData) { plan.tls = tls }
        return plan
    }

    /// `http: 1.1` or `http: 2` (`2.0` and quoted forms too).
    private mutating func httpVersion(_ node: Node) -> HTTPVersionChoice? {
        guard case .scalar(let scalar) = node, !node.isNull else {
            fail(at: node, "http", "expected 1.1 or 2, got \(node.kindDescription)")
            return nil
        }
        switch scalar.string.lowercased() {
        case "1.1", "http/1.1": return .http1
        case "2", "2.0", "h2", "http/2": return .http2
        default:
            fail(
                at: node, "http",
                "expected 1.1 or 2 (HTTP/2: ALPN over https, prior knowledge over http), "
                    + "got '\(scalar.string)'")
            return nil
        }
    }

    private mutating func tls(_ node: Node, readData: (String) -> Result<String, Problem>) -> TLSPlan? {
        guard let fields = mapping(node, "tls", known: Self.tlsKeys) else { return nil }
        var plan = TLSPlan()
        var valid = true
        if let value = fields["insecure"] {
            if case .scalar(let scalar) = value, !value.isNull, let flag = Bool.construct(from: scalar) {
                plan.insecure = flag
            } else {
                fail(at: value, "tls.insecure", "expected true or false, got \(value.kindDescription)")
                valid = false
            }
        }
        if let value = fields["ca_file"] {
            plan.caPEM = pem(value, "tls.ca_file", expecting: "CERTIFICATE", readData: readData)
            if plan.caPEM == nil { valid = false }
            if plan.insecure {
                fail(
                    at: fields.keyNode("insecure"), "tls.insecure",
                    "give ca_file (verify against that CA) or insecure: true (verify nothing), not both")
                valid = false
            }
        }
        let cert = fields["client_cert"]
        let key = fields["client_key"]
        if let cert { plan.clientCertPEM = pem(cert, "tls.client_cert", expecting: "CERTIFICATE", readData: readData) }
        if let key { plan.clientKeyPEM = pem(key, "tls.client_key", expecting: "PRIVATE KEY", readData: readData) }
        if cert != nil, key == nil {
            fail(
                at: fields.keyNode("client_cert"), "tls.client_key",
                "required with client_cert: the PEM file of its private key")
            valid = false
        }
        if key != nil, cert == nil {
            fail(
                at: fields.keyNode("client_key"), "tls.client_cert",
                "required with client_key: the PEM file of the certificate")
            valid = false
        }
        if (cert != nil && plan.clientCertPEM == nil) || (key != nil && plan.clientKeyPEM == nil) { valid = false }
        if let value = fields["server_name"] {
            if let name = string(value, "tls.server_name"), Self.isServerName(name) {
                plan.serverName = name
            } else {
                if case .scalar = value, !value.isNull {
                    fail(
                        at: value, "tls.server_name",
                        "expected a DNS name such as api.example.com (letters, digits, "
                            + "'-' and '.', at most 253 characters, no port), got \(value.kindDescription)")
                }
                valid = false
            }
        }
        return valid ? plan : nil
    }

    /// The file's bytes when it holds at least one PEM block of `kind` (e.g. `-----BEGIN CERTIFICATE-----`,
    /// `-----BEGIN RSA PRIVATE KEY-----`); otherwise a problem naming the file, never its contents.
    private mutating func pem(
        _ node: Node, _ field: String, expecting kind: String,
        readData: (String) -> Result<String, Problem>
    ) -> [UInt8]? {
        guard let path = string(node, field) else { return nil }
        switch readData(path) {
        case .failure(let problem):
            fail(at: node, field, problem.message)
            return nil
        case .success(let text):
            let hasBlock = text.split(separator: "\n").contains {
                $0.hasPrefix("-----BEGIN ") && $0.contains("\(kind)-----")
            }
            guard hasBlock else {
                fail(at: node, field, "\(path) holds no PEM \(kind.lowercased()) (a '-----BEGIN …\(kind)-----' block)")
                return nil
            }
            return Array(text.utf8)
        }
    }

    /// An SNI host name: DNS labels of letters, digits and '-', dot-separated (no IP, no port).
    static func isServerName(_ name: String) -> Bool {
        guard (1...253).contains(name.utf8.count), !name.hasPrefix("."), !name.hasSuffix("."), !name.contains("..")
        else { return false }
        return name.split(separator: ".").allSatisfy { label in
            label.utf8.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.unicodeScalars.allSatisfy {
                    $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-")
                }
        }
    }
}
