import NIOCore
import NIOSSL

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `loadctl target --tls-cert FILE --tls-key FILE [--tls-client-ca FILE]`: serve HTTPS (HTTP/1.1 or
/// h2, by ALPN) with a certificate given by path, and with a client CA, require and verify a client
/// certificate.
public struct TargetTLS: Sendable, Hashable {
    /// PEM file: the server's certificate, then any intermediates.
    public var certificatePath: String
    /// PEM file: its private key.
    public var privateKeyPath: String
    /// PEM file of the CA a client certificate must chain to; `nil` asks for no client certificate.
    public var clientCAPath: String?

    public init(certificatePath: String, privateKeyPath: String, clientCAPath: String? = nil) {
        self.certificatePath = certificatePath
        self.privateKeyPath = privateKeyPath
        self.clientCAPath = clientCAPath
    }
}

/// The NIOSSL context made once at start; each connection gets its own handler from it.
struct TargetTLSContext: Sendable {
    let context: NIOSSLContext

    /// - Throws: `TargetServerError.invalidConfig` naming the file that cannot be used, and why.
    init(_ tls: TargetTLS) throws {
        // NIOSSL's own errors say only "failedToLoadCertificate": name the common causes first.
        for (field, path) in [
            ("tls-cert", tls.certificatePath), ("tls-key", tls.privateKeyPath),
            ("tls-client-ca", tls.clientCAPath),
        ] {
            guard let path, access(path, R_OK) != 0 else { continue }
            throw TargetServerError.invalidConfig(field: field, value: path, reason: String(cString: strerror(errno)))
        }
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        do {
            chain = try NIOSSLCertificate.fromPEMFile(tls.certificatePath)
        } catch {
            throw TargetServerError.invalidConfig(
                field: "tls-cert", value: tls.certificatePath,
                reason: "cannot read a PEM certificate from it (\(error))")
        }
        guard !chain.isEmpty else {
            throw TargetServerError.invalidConfig(
                field: "tls-cert", value: tls.certificatePath,
                reason: "it holds no PEM certificate")
        }
        do {
            key = try NIOSSLPrivateKey(file: tls.privateKeyPath, format: .pem)
        } catch {
            throw TargetServerError.invalidConfig(
                field: "tls-key", value: tls.privateKeyPath,
                reason: "cannot read a PEM private key from it (\(error))")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.applicationProtocols = ["h2", "http/1.1"]
        // On stop, each open connection waits this long for the client's close_notify (NIOSSL's
        // default is 5 s): a load generator keeps idle connections open, and a test should not wait.
        configuration.shutdownTimeout = .milliseconds(200)
        if let clientCA = tls.clientCAPath {
            let roots: [NIOSSLCertificate]
            do {
                roots = try NIOSSLCertificate.fromPEMFile(clientCA)
            } catch {
                throw TargetServerError.invalidConfig(
                    field: "tls-client-ca", value: clientCA,
                    reason: "cannot read a PEM certificate from it (\(error))")
            }
            configuration.trustRoots = .certificates(roots)
            // A client certificate is required and must chain to the CA; a client has no host name to check.
            configuration.certificateVerification = .noHostnameVerification
        }
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw TargetServerError.invalidConfig(
                field: "tls-key", value: tls.privateKeyPath,
                reason: "the certificate and key cannot be used together (\(error))")
        }
    }

    func makeHandler() -> NIOSSLServerHandler {
        NIOSSLServerHandler(context: context)
    }
}
