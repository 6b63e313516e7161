import Crypto
import NIOCore
import NIOSSL
import Synchronization

/// The SHA-256 of a certificate's DER bytes: what a worker pins (`tls_fingerprint:`) instead of
/// trusting a CA, so a fleet can run on a self-signed certificate made with one `openssl` command.
public struct CertificateFingerprint: Sendable, Equatable, CustomStringConvertible {
    public let bytes: [UInt8]

    init(der: [UInt8]) {
        bytes = Array(SHA256.hash(data: der))
    }

    /// Reads the forms people copy: `AB:CD:…`, plain hex, and `openssl x509 -fingerprint -sha256`'s
    /// whole `sha256 Fingerprint=AB:…` line; `nil` for anything that is not 32 bytes of hex.
    public init?(parsing text: String) {
        var hex = Substring(text).drop { $0.isWhitespace }
        while hex.last?.isWhitespace == true { hex = hex.dropLast() }
        if let equals = hex.lastIndex(of: "=") { hex = hex[hex.index(after: equals)...] }
        if hex.lowercased().hasPrefix("sha256:") { hex = hex.dropFirst("sha256:".count) }
        let digits = hex.filter { $0 != ":" }
        guard digits.count == 64 else { return nil }
        var bytes: [UInt8] = []
        var index = digits.startIndex
        while index < digits.endIndex {
            let next = digits.index(index, offsetBy: 2)
            guard let byte = UInt8(digits[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        self.bytes = bytes
    }

    /// As `openssl x509 -noout -fingerprint -sha256` prints it.
    public var description: String {
        bytes.map { ($0 < 0x10 ? "0" : "") + String($0, radix: 16, uppercase: true) }.joined(separator: ":")
    }
}

/// A master's TLS: its certificate chain and key (`tls_cert:`, `tls_key:`), served to every worker.
public struct MasterTLS: Sendable {
    let context: NIOSSLContext
    /// The leaf certificate's fingerprint: what the workers' `tls_fingerprint:` must say.
    public let fingerprint: CertificateFingerprint

    /// - Throws: `FederationError` naming the file that cannot be read or does not hold what it should.
    public static func load(certificate: String, key: String) throws(FederationError) -> MasterTLS {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificate)
        } catch {
            throw FederationError("tls_cert \(certificate): not a readable PEM certificate (\(error))")
        }
        guard let leaf = chain.first, let der = try? leaf.toDERBytes() else {
            throw FederationError("tls_cert \(certificate): no certificate in the file")
        }
        let privateKey: NIOSSLPrivateKey
        let keyBytes = try SecretFile.read(key, key: "tls_key")
        do {
            privateKey = try NIOSSLPrivateKey(bytes: keyBytes, format: .pem)
        } catch {
            throw FederationError("tls_key \(key): not a readable PEM private key (\(error))")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(privateKey))
        configuration.minimumTLSVersion = .tlsv13
        do {
            return MasterTLS(context: try NIOSSLContext(configuration: configuration),
                             fingerprint: CertificateFingerprint(der: der))
        } catch {
            throw FederationError("tls_cert \(certificate) and tls_key \(key) do not make a TLS identity: \(error)")
        }
    }

    func handler() -> NIOSSLServerHandler {
        NIOSSLServerHandler(context: context)
    }
}

/// A worker's TLS: it accepts only a master whose certificate has the pinned fingerprint.
public struct WorkerTLS: Sendable {
    let context: NIOSSLContext
    public let pin: CertificateFingerprint

    public init(pin: CertificateFingerprint) throws(FederationError) {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv13
        // The pin replaces CA and host name checks (the callback below decides alone); `.none`
        // would skip the callback too.
        configuration.certificateVerification = .noHostnameVerification
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw FederationError("cannot set up TLS: \(error)")
        }
        self.pin = pin
    }

    /// One connection's handler: a master presenting another certificate fails the handshake, and
    /// `check` learns which fingerprint it had.
    public func handler(reportingTo check: PinCheck) throws -> NIOSSLClientHandler {
        let pin = self.pin
        let handler = try NIOSSLClientHandler(context: context, serverHostname: nil) { certificates, promise in
            guard let leaf = certificates.first, let der = try? leaf.toDERBytes() else {
                check.record(nil)
                return promise.succeed(.failed)
            }
            let seen = CertificateFingerprint(der: der)
            check.record(seen)
            promise.succeed(seen == pin ? .certificateVerified : .failed)
        }
        return handler
    }
}

/// What a worker's TLS handshake found, read after the connection ends to say why it failed.
public final class PinCheck: Sendable {
    private let seen = Mutex<CertificateFingerprint??>(nil)

    public init() {}

    func record(_ fingerprint: CertificateFingerprint?) {
        seen.withLock { $0 = .some(fingerprint) }
    }

    /// Why the pin refused the master, or `nil` when it matched or no certificate was seen yet.
    public func refusal(pin: CertificateFingerprint) -> String? {
        guard let presented = seen.withLock({ $0 }) else { return nil }
        guard let presented else { return "the master presented no certificate" }
        guard presented != pin else { return nil }
        return "the master's certificate has fingerprint \(presented), but tls_fingerprint is \(pin)"
    }
}
