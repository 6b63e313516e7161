import Foundation
import Glibc
import Protocol
import Testing

@testable import Federation

/// Token files and TLS keys are read only when the node's other users cannot read them, and never
/// through a symbolic link; a token file may carry a new and an old token during a rollover.
@Suite struct SecretFileTests {
    /// A folder of its own per test, removed at the end.
    final class Folder {
        let path = NSTemporaryDirectory() + "loadd-secret-\(UUID().uuidString)"
        init() throws { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(atPath: path) }

        func file(_ name: String, _ text: String, mode: mode_t) throws -> String {
            let file = "\(path)/\(name)"
            try text.write(toFile: file, atomically: true, encoding: .utf8)
            #expect(chmod(file, mode) == 0)
            return file
        }
    }

    static let tokenText = "fleet-secret-token-0123456789\n"

    private func refusal(_ path: String) -> String {
        do {
            _ = try FleetToken.read(path: path)
            return ""
        } catch {
            return error.description
        }
    }

    @Test(arguments: [0o600, 0o640, 0o400, 0o440] as [mode_t])
    func aTokenFileOnlyItsOwnerAndLoaddsGroupCanReadIsAccepted(mode: mode_t) throws {
        let folder = try Folder()
        let path = try folder.file("token", Self.tokenText, mode: mode)
        #expect(refusal(path) == "")
    }

    @Test(
        arguments: [
            (0o644, "can be read or written by any user on this node (mode 0644)"),
            (0o664, "can be read or written by any user on this node (mode 0664)"),
            (0o604, "can be read or written by any user on this node (mode 0604)"),
            (0o660, "can be written by its group (mode 0660)"),
            (0o4600, "has setuid, setgid or sticky bits (mode 04600)"),
        ] as [(mode_t, String)])
    func aTokenFileOthersCanReadIsRefusedWithTheFix(mode: mode_t, problem: String) throws {
        let folder = try Folder()
        let path = try folder.file("token", Self.tokenText, mode: mode)
        #expect(
            refusal(path)
                == "token_file \(path) \(problem); fix it with: chown root:loadd \(path) && chmod 0640 \(path)")
    }

    @Test func aTokenFileOwnedBySomeoneElseIsRefused() throws {
        let folder = try Folder()
        let path = try folder.file("token", Self.tokenText, mode: 0o600)
        #expect(chown(path, 65534, 65534) == 0 || geteuid() != 0)
        // As root the chown works and the owner is refused; the rule is checked on its own below either way.
        if geteuid() == 0 {
            #expect(refusal(path).contains("is owned by uid 65534, neither root nor the user loadd runs as"))
        }
        #expect(
            SecretFile.permissionProblem(
                mode: S_IFREG | 0o600, owner: 1234, group: 0, daemonUser: 999,
                daemonGroup: 999)?.contains("owned by uid 1234") == true)
        #expect(
            SecretFile.permissionProblem(
                mode: S_IFREG | 0o600, owner: 999, group: 999, daemonUser: 999,
                daemonGroup: 999) == nil)
    }

    @Test func aGroupOtherThanRootsOrLoaddsMayNotReadIt() {
        #expect(
            SecretFile.permissionProblem(
                mode: S_IFREG | 0o640, owner: 0, group: 100, daemonUser: 999,
                daemonGroup: 999)
                == "can be read by group gid 100, which is neither root's nor loadd's (mode 0640)")
        #expect(
            SecretFile.permissionProblem(
                mode: S_IFREG | 0o640, owner: 0, group: 999, daemonUser: 999,
                daemonGroup: 999) == nil)
    }

    @Test func aSymbolicLinkIsRefusedEvenToAGoodFile() throws {
        let folder = try Folder()
        let target = try folder.file("real-token", Self.tokenText, mode: 0o600)
        let link = "\(folder.path)/token"
        #expect(symlink(target, link) == 0)
        #expect(refusal(link).hasPrefix("token_file \(link) is a symbolic link; point token_file: at the file itself"))
    }

    @Test func aMissingOrDirectoryTokenFileIsNamed() throws {
        let folder = try Folder()
        #expect(refusal("\(folder.path)/none") == "cannot read token_file \(folder.path)/none: it does not exist")
        #expect(refusal(folder.path).contains("is not a regular file"))
    }

    @Test func aTLSKeyOthersCanReadIsRefused() throws {
        let folder = try Folder()
        let key = try folder.file("tls.key", "-----BEGIN PRIVATE KEY-----\n", mode: 0o644)
        do {
            _ = try MasterTLS.load(certificate: "/nonexistent/tls.crt", key: key)
            Issue.record("a world-readable key was accepted")
        } catch {
            // The certificate is read first; with a real certificate the key's mode is what fails.
            #expect(error.description.contains("tls_cert /nonexistent/tls.crt"))
        }
        #expect(throws: FederationError.self) { _ = try SecretFile.read(key, key: "tls_key") }
    }

    // MARK: Rollover

    @Test func aTokenFileMayHoldANewAndAnOldToken() throws {
        let folder = try Folder()
        let path = try folder.file("token", "new-token-0123456789abcdef\nold-token-0123456789abcdef\n", mode: 0o600)
        let token = try FleetToken.read(path: path)
        #expect(token.isRollingOver)
        let three = try folder.file(
            "three", "a-token-0123456789abcdef\nb-token-0123456789abcdef\nc-token-0123456789\n",
            mode: 0o600)
        #expect(refusal(three).contains("has 3 lines; it holds one token, or two during a rollover"))
        let wrapped = try folder.file("wrapped", "a-token-0123456789abcdef\nshort\n", mode: 0o600)
        #expect(refusal(wrapped).contains("the token is 5 bytes; use at least 16"))
        #expect(refusal(wrapped).hasSuffix("(one token per line)"))
    }

    /// Runs the pure handshakes of a master and a worker holding these tokens; true when admitted.
    private func joins(master: FleetToken, worker: FleetToken) -> Bool {
        var masterSide = MasterHandshake(token: master, binding: .plaintext)
        let hello = Hello(
            node: NodeID(rawValue: "w1"), loaddVersion: "test",
            cores: 2, threads: 2, maxUsers: 0, weight: 1, nonce: FleetToken.nonce())
        var workerSide = WorkerHandshake(token: worker, hello: hello, binding: { .plaintext })
        guard case .reply(let challenge) = masterSide.receive(workerSide.opening),
            case .reply(let proof) = workerSide.receive(challenge),
            case .authenticated = masterSide.receive(proof)
        else { return false }
        return true
    }

    @Test func aFleetRollsItsTokenOverWithoutStopping() throws {
        let old = Array("old-token-0123456789abcdef".utf8), new = Array("new-token-0123456789abcdef".utf8)
        let oldOnly = try FleetToken(old), newOnly = try FleetToken(new)
        let both = try FleetToken(current: new, previous: old)
        // 1. Workers get `new⏎old` first: the master still on `old` admits them.
        #expect(joins(master: oldOnly, worker: both))
        // 2. The master gets `new⏎old`: workers already rolled over, and a late one still on `old`, join.
        #expect(joins(master: both, worker: both))
        #expect(joins(master: both, worker: oldOnly) == false)   // why the workers go first
        #expect(joins(master: both, worker: newOnly))
        // 3. Everyone drops `old`.
        #expect(joins(master: newOnly, worker: newOnly))
        #expect(joins(master: newOnly, worker: oldOnly) == false)
    }
}
