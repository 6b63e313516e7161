import ArgumentParser
import TargetServer

/// `loadctl target --tls-cert FILE --tls-key FILE [--tls-client-ca FILE]`.
struct TargetTLSOptions: ParsableArguments {
    @Option(
        name: .customLong("tls-cert"), help: "Serve HTTPS with this PEM certificate (chain) file.",
        completion: .file())
    var certificate: String?

    @Option(name: .customLong("tls-key"), help: "The PEM private key of --tls-cert.", completion: .file())
    var key: String?

    @Option(
        name: .customLong("tls-client-ca"),
        help: "Require a client certificate that chains to this PEM CA (with --tls-cert).", completion: .file())
    var clientCA: String?

    /// `nil` for plain HTTP. - Throws: a `ValidationError` when the flags do not go together.
    func settings() throws -> TargetTLS? {
        switch (certificate, key) {
        case (nil, nil):
            if clientCA != nil { throw ValidationError("--tls-client-ca needs --tls-cert and --tls-key") }
            return nil
        case (let certificate?, let key?):
            return TargetTLS(certificatePath: certificate, privateKeyPath: key, clientCAPath: clientCA)
        default:
            throw ValidationError("--tls-cert and --tls-key go together: the certificate and its private key")
        }
    }
}
