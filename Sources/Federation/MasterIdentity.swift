import Crypto
import Glibc

/// A master's own TLS identity, for the zero-setup default: with no `tls_cert:`/`tls_key:` the
/// master makes a P-256 key and a self-signed certificate in its state directory on first start and
/// serves them from then on, so its fingerprint stays the same across restarts. Workers need no
/// copy of it: the channel binding (`ChannelBinding`) ties their token handshake to it.
public enum MasterIdentity {
    /// Where under the state directory, and the files' names.
    public static let folder = "tls"
    public static let keyName = "master.key"
    public static let certificateName = "master.crt"

    public struct Loaded: Sendable {
        public let tls: MasterTLS
        /// True when this start made the key and certificate.
        public let created: Bool
        public let keyPath: String
        public let certificatePath: String
    }

    /// The identity kept in `stateDirectory/tls/`, made there first when neither file exists. The
    /// key is written with mode 0600 and read back through `SecretFile`, so a key someone later made
    /// readable to others is refused with the fix, like `tls_key:`.
    /// - Throws: `FederationError` naming the file that is missing, unreadable or unusable.
    public static func loadOrCreate(stateDirectory: String, commonName: String) throws(FederationError) -> Loaded {
        let directory = stateDirectory + "/" + folder
        let keyPath = directory + "/" + keyName
        let certificatePath = directory + "/" + certificateName
        if mkdir(directory, 0o700) != 0 && errno != EEXIST {
            throw FederationError(
                "cannot make \(directory) for the master's TLS key: \(String(cString: strerror(errno)))")
        }
        let haveKey = exists(keyPath)
        let haveCertificate = exists(certificatePath)
        var created = false
        switch (haveKey, haveCertificate) {
        case (true, true):
            break
        case (false, false):
            try create(keyPath: keyPath, certificatePath: certificatePath, commonName: commonName)
            created = true
        case (true, false), (false, true):
            let missing = haveKey ? certificatePath : keyPath
            throw FederationError(
                "\(missing) is missing but its pair is there; remove both \(keyPath) and "
                    + "\(certificatePath) to make a new TLS identity (workers pinning the old "
                    + "fingerprint with tls_fingerprint: then need the new one)")
        }
        let tls = try MasterTLS.load(certificate: certificatePath, key: keyPath, names: ("certificate", "key"))
        return Loaded(tls: tls, created: created, keyPath: keyPath, certificatePath: certificatePath)
    }

    private static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    private static func create(keyPath: String, certificatePath: String, commonName: String) throws(FederationError) {
        let key = P256.Signing.PrivateKey()
        let der: [UInt8]
        do {
            der = try SelfSignedCertificate.der(key: key, commonName: commonName, notBefore: time(nil) - 3600)
        } catch {
            throw FederationError("cannot sign the master's TLS certificate: \(error)")
        }
        // Certificate first: a crash between the two leaves a certificate without its key, which the
        // next start reports, never a key that a later start would pair with a new certificate.
        try write(SelfSignedCertificate.pem(der, label: "CERTIFICATE"), to: certificatePath, mode: 0o644)
        try write(key.pemRepresentation + "\n", to: keyPath, mode: 0o600)
    }

    /// Writes through a temporary file created with its final mode (never briefly readable by
    /// others), synced, then renamed into place.
    private static func write(_ text: String, to path: String, mode: mode_t) throws(FederationError) {
        let temporary = path + ".new"
        unlink(temporary)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard fd >= 0 else { throw FederationError("cannot write \(temporary): \(String(cString: strerror(errno)))") }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, $0.count - written) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                let reason = String(cString: strerror(errno))
                close(fd)
                unlink(temporary)
                throw FederationError("cannot write \(temporary): \(reason)")
            }
            written += count
        }
        let synced = fsync(fd) == 0
        close(fd)
        guard synced, rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw FederationError("cannot write \(path): \(reason)")
        }
    }
}
