/// What a fleet's token handshake is bound to: the TLS channel it runs in. Both proofs (see
/// `FleetToken`) cover it, so a relay that terminates the worker's TLS with a certificate of its own
/// and opens a second TLS connection to the master cannot pass the worker's proof on: the worker
/// binds its proof to the relay's certificate, the master expects its own.
///
/// The value is RFC 5929's `tls-server-end-point`: a hash of the master's leaf certificate as the
/// worker received it in the TLS handshake, which the master knows as its own. RFC 9266's
/// `tls-exporter` would bind to the session itself, but swift-nio-ssl offers no keying-material
/// exporter; `tls-server-end-point` needs only the certificate, which both sides see. The hash is
/// SHA-256 always (RFC 5929 picks the certificate's signature hash; loadd's certificates are
/// signed with SHA-256, and one fixed hash keeps both sides from having to agree on another).
public struct ChannelBinding: Sendable, Equatable, CustomStringConvertible {
    /// Empty for plain TCP, else the 32-byte certificate hash.
    let bytes: [UInt8]

    /// No TLS (`insecure_plaintext: true`): the proofs bind to nothing.
    public static let plaintext = ChannelBinding(bytes: [])

    /// `tls-server-end-point` of a master whose leaf certificate has this fingerprint.
    public static func serverEndPoint(_ certificate: CertificateFingerprint) -> ChannelBinding {
        ChannelBinding(bytes: certificate.bytes)
    }

    /// `message` followed by the binding and then its length: read from the end this is unambiguous,
    /// so no other (message, binding) pair gives the same MAC input.
    func appended(to message: [UInt8]) -> [UInt8] {
        message + bytes + [UInt8(bytes.count)]
    }

    public var description: String {
        bytes.isEmpty ? "plain TCP" : "certificate \(CertificateFingerprint(hash: bytes))"
    }
}

extension MasterConfiguration {
    /// What this master's token handshakes bind to: its certificate, or nothing on plain TCP.
    var channelBinding: ChannelBinding { tls?.binding ?? .plaintext }
}
