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

    /// A hash already taken (32 bytes).
    init(hash: [UInt8]) {
        bytes = hash
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

    /// What this master's token handshakes are bound to (`ChannelBinding`).
    public var binding: ChannelBinding { .serverEndPoint(fingerprint) }

    /// - Throws: `FederationError` naming the file that cannot be read or does not hold what it should.
    /// `names` are the config keys (or words) the messages call the two files.
    public static func load(
        certificate: String, key: String,
        names: (certificate: String, key: String) = ("tls_cert", "tls_key")
    ) throws(FederationError) -> MasterTLS {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificate)
        } catch {
            throw FederationError("\(names.certificate) \(certificate): not a readable PEM certificate (\(error))")
        }
        guard let leaf = chain.first, let der = try? leaf.toDERBytes() else {
            throw FederationError("\(names.certificate) \(certificate): no certificate in the file")
        }
        let privateKey: NIOSSLPrivateKey
        let keyBytes = try SecretFile.read(key, key: names.key)
        do {
            privateKey = try NIOSSLPrivateKey(bytes: keyBytes, format: .pem)
        } catch {
            throw FederationError("\(names.key) \(key): not a readable PEM private key (\(error))")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(privateKey))
        configuration.minimumTLSVersion = .tlsv13
        do {
            return MasterTLS(
                context: try NIOSSLContext(configuration: configuration),
                fingerprint: CertificateFingerprint(der: der))
        } catch {
            throw FederationError(
                "\(names.certificate) \(certificate) and \(names.key) \(key) do not make a TLS identity: \(error)")
        }
    }

    func handler() -> NIOSSLServerHandler {
        NIOSSLServerHandler(context: context)
    }
}

/// A worker's TLS. By default it accepts any certificate and relies on the channel binding: the
/// token handshake covers the certificate it saw (`ChannelBinding`), so only the master that holds
/// both that certificate's key and the token gets through. With a pin (`tls_fingerprint:`) it also
/// accepts only that certificate, the stricter option for operators who manage certificates.
public struct WorkerTLS: Sendable {
    let context: NIOSSLContext
    public let pin: CertificateFingerprint?

    public init(pin: CertificateFingerprint?) throws(FederationError) {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv13
        // The callback below decides alone (pin, or channel binding); `.none` would skip the
        // callback too, and with it the record of the certificate the binding needs.
        configuration.certificateVerification = .noHostnameVerification
        // No CA is consulted, so none is loaded: a minimal VM has no /etc/ssl/certs, and loading the
        // system's default roots there fails the context.
        configuration.trustRoots = .certificates([])
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw FederationError("cannot set up TLS: \(error)")
        }
        self.pin = pin
    }

    /// One connection's handler: it records the master's certificate in `check` (for the channel
    /// binding and for messages); with a pin, a master presenting another certificate fails the handshake.
    public func handler(reportingTo check: PinCheck) throws -> NIOSSLClientHandler {
        let pin = self.pin
        let handler = try NIOSSLClientHandler(context: context, serverHostname: nil) { certificates, promise in
            guard let leaf = certificates.first, let der = try? leaf.toDERBytes() else {
                check.record(nil)
                return promise.succeed(.failed)
            }
            let seen = CertificateFingerprint(der: der)
            check.record(seen)
            promise.succeed(pin == nil || seen == pin ? .certificateVerified : .failed)
        }
        return handler
    }
}

/// What a worker's TLS handshake found: the master's certificate, for the channel binding while
/// the connection lives and, after it ends, to say why it failed.
public final class PinCheck: Sendable {
    private let seen = Mutex<CertificateFingerprint??>(nil)

    public init() {}

    func record(_ fingerprint: CertificateFingerprint?) {
        seen.withLock { $0 = .some(fingerprint) }
    }

    /// The certificate the TLS handshake presented, `nil` before it did (or when it had none).
    public var presented: CertificateFingerprint? { seen.withLock { $0 ?? nil } }

    /// True once the TLS handshake reached the master's certificate.
    public var reachedCertificate: Bool { seen.withLock { $0 != nil } }

    /// The channel binding for the token handshake: `nil` until a certificate was seen.
    public var binding: ChannelBinding? { presented.map(ChannelBinding.serverEndPoint) }

    /// Why the pin refused the master, or `nil` when it matched, there is no pin, or no certificate
    /// was seen yet.
    public func refusal(pin: CertificateFingerprint?) -> String? {
        guard let pin, let presented = seen.withLock({ $0 }) else { return nil }
        guard let presented else { return "the master presented no certificate" }
        guard presented != pin else { return nil }
        return "the master's certificate has fingerprint \(presented), but tls_fingerprint is \(pin)"
    }
}
