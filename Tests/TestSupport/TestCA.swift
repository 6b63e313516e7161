import Foundation

/// A throw-away certificate authority made with the `openssl` command in a temporary folder: a CA,
/// a server certificate for 127.0.0.1/localhost, one valid only for `target.test`, and a client
/// certificate. EC P-256 keys, valid two days.
public struct TestCA: Sendable {
    public let directory: String
    public var caPEM: String { "\(directory)/ca.pem" }
    public var serverCert: String { "\(directory)/server.pem" }
    public var serverKey: String { "\(directory)/server.key" }
    public var namedCert: String { "\(directory)/named.pem" }
    public var namedKey: String { "\(directory)/named.key" }
    public var clientCert: String { "\(directory)/client.pem" }
    public var clientKey: String { "\(directory)/client.key" }

    public static var opensslPath: String? {
        ["/usr/bin/openssl", "/usr/local/bin/openssl"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }
    public static var available: Bool { opensslPath != nil }

    public init() throws {
        directory = NSTemporaryDirectory() + "loadd-ca-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try run(
            ["req", "-x509"] + key + [
                "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=loadd test CA",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            ])
        try issue(
            "server", subject: "/CN=127.0.0.1",
            extensions: """
                subjectAltName=IP:127.0.0.1,DNS:localhost
                extendedKeyUsage=serverAuth
                """, key: key)
        try issue(
            "named", subject: "/CN=target.test",
            extensions: """
                subjectAltName=DNS:target.test
                extendedKeyUsage=serverAuth
                """, key: key)
        try issue("client", subject: "/CN=loadd test client", extensions: "extendedKeyUsage=clientAuth", key: key)
    }

    private func issue(_ name: String, subject: String, extensions: String, key: [String]) throws {
        try (extensions + "\nbasicConstraints=CA:FALSE\n").write(
            toFile: "\(directory)/\(name).ext", atomically: true, encoding: .utf8)
        try run(["req"] + key + ["-keyout", "\(name).key", "-out", "\(name).csr", "-subj", subject])
        try run([
            "x509", "-req", "-in", "\(name).csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "\(name).pem", "-days", "2", "-extfile", "\(name).ext",
        ])
    }

    private func run(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.opensslPath!)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestCAError("openssl \(arguments.joined(separator: " ")) failed: \(text)")
        }
    }

    public func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}

public struct TestCAError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
