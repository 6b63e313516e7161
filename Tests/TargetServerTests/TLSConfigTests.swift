import Foundation
import Testing

@testable import TargetServer

/// `loadctl target --tls-cert/--tls-key`: a file that cannot be used is named with the flag and why,
/// and nothing is left running.
@Suite struct TLSConfigTests {
    @Test func aMissingCertificateOrAFileThatIsNotPEMIsNamed() async throws {
        let directory = NSTemporaryDirectory() + "loadd-target-tls-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "not a certificate\n".write(toFile: "\(directory)/junk.pem", atomically: true, encoding: .utf8)
        let cases: [(TargetTLS, String)] = [
            (
                TargetTLS(certificatePath: "\(directory)/missing.pem", privateKeyPath: "\(directory)/junk.pem"),
                "invalid tls-cert '\(directory)/missing.pem': No such file or directory"
            ),
            (
                TargetTLS(certificatePath: "\(directory)/junk.pem", privateKeyPath: "\(directory)/junk.pem"),
                "invalid tls-cert '\(directory)/junk.pem': "
            ),
        ]
        for (tls, message) in cases {
            await #expect {
                _ = try await TargetServer.start(TargetConfig(), tls: tls)
            } throws: { error in
                "\(error)".hasPrefix(message)
            }
        }
    }
}
