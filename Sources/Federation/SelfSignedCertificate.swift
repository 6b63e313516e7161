import Crypto
import Foundation
import Glibc

/// A self-signed X.509 v3 certificate for a P-256 key, written in DER by hand: a master's own TLS
/// identity needs one certificate of a fixed shape, which is fewer lines than a dependency. Workers
/// never check its names or dates (the channel binding, or a pin, decides), so it carries only what
/// TLS libraries require: subject and issuer `CN=…`, a validity, the key, and `CA:FALSE`.
enum SelfSignedCertificate {
    /// The certificate's DER bytes, signed with `key` (ECDSA with SHA-256).
    static func der(key: P256.Signing.PrivateKey, commonName: String, notBefore: time_t) throws -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        var serial = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        serial[0] &= 0x7F   // a positive INTEGER
        serial[0] |= 0x01   // with no leading zero byte
        let ecdsaWithSHA256 = sequence(objectIdentifier([0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02]))
        let name = sequence(set(sequence(objectIdentifier([0x55, 0x04, 0x03]) + tlv(0x0C, Array(commonName.utf8)))))
        // RFC 5280 4.1.2.5: 99991231235959Z means "no well-defined expiration".
        let validity = sequence(utcTime(notBefore) + tlv(0x18, Array("99991231235959Z".utf8)))
        let basicConstraints = sequence(
            objectIdentifier([0x55, 0x1D, 0x13]) + tlv(0x01, [0xFF])
                + tlv(0x04, sequence([])))
        let keyUsage = sequence(
            objectIdentifier([0x55, 0x1D, 0x0F]) + tlv(0x01, [0xFF])
                + tlv(0x04, tlv(0x03, [0x07, 0x80])))   // digitalSignature
        var body: [UInt8] = tlv(0xA0, tlv(0x02, [0x02]))   // [0] version: v3
        body += tlv(0x02, serial)
        body += ecdsaWithSHA256
        body += name   // issuer
        body += validity
        body += name   // subject: self-signed
        body += Array(key.publicKey.derRepresentation)   // SubjectPublicKeyInfo
        body += tlv(0xA3, sequence(basicConstraints + keyUsage))
        let tbs = sequence(body)
        let signature = try key.signature(for: tbs).derRepresentation
        return sequence(tbs + ecdsaWithSHA256 + tlv(0x03, [0x00] + Array(signature)))
    }

    /// PEM armour (base64 lines of 64) around DER bytes.
    static func pem(_ der: [UInt8], label: String) -> String {
        let base64 = Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        return "-----BEGIN \(label)-----\n\(base64)\n-----END \(label)-----\n"
    }

    static func tlv(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] {
        let count = content.count
        if count < 0x80 { return [tag, UInt8(count)] + content }
        var length: [UInt8] = []
        var rest = count
        while rest > 0 {
            length.insert(UInt8(rest & 0xFF), at: 0)
            rest >>= 8
        }
        return [tag, 0x80 | UInt8(length.count)] + length + content
    }

    private static func sequence(_ content: [UInt8]) -> [UInt8] { tlv(0x30, content) }
    private static func set(_ content: [UInt8]) -> [UInt8] { tlv(0x31, content) }
    private static func objectIdentifier(_ encoded: [UInt8]) -> [UInt8] { tlv(0x06, encoded) }

    /// `YYMMDDHHMMSSZ` (UTCTime, for years before 2050 as RFC 5280 asks).
    private static func utcTime(_ time: time_t) -> [UInt8] {
        var seconds = time
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let fields = [
            Int(parts.tm_year) % 100, Int(parts.tm_mon) + 1, Int(parts.tm_mday), Int(parts.tm_hour),
            Int(parts.tm_min), Int(parts.tm_sec),
        ]
        let text = fields.map { $0 < 10 ? "0\($0)" : "\($0)" }.joined() + "Z"
        return tlv(0x17, Array(text.utf8))
    }
}
