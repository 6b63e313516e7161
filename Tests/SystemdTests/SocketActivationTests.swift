import Glibc
import SystemdSupport
import Testing

extension ProcessStateTests {
    /// `listenFDs()` on real sockets placed at fds 3 and 4, as systemd would pass them.
    @Suite struct SocketActivationTests {
        @Test func namedUnixAndTcpListenersAreFoundAndClassified() throws {
            try withTemporaryDirectory { dir in
                let control = try makeUnixSocket(path: dir + "/loadd.sock", type: Int32(SOCK_STREAM.rawValue))
                defer { close(control) }
                let federation = try makeLoopbackListener()
                defer { close(federation) }
                let sockets = withPassedDescriptors([control, federation]) {
                    withEnvironment([
                        "LISTEN_PID": "\(getpid())", "LISTEN_FDS": "2", "LISTEN_FDNAMES": "control:federation",
                    ]) {
                        let sockets = SocketActivation.listenFDs()
                        // Consumed, so a child process would not think the fds are its own.
                        #expect(getenv("LISTEN_FDS") == nil)
                        #expect(getenv("LISTEN_PID") == nil)
                        #expect(getenv("LISTEN_FDNAMES") == nil)
                        return sockets
                    }
                }
                #expect(
                    sockets == [
                        ActivatedSocket(fd: 3, name: "control", kind: .unixStream, isListening: true),
                        ActivatedSocket(fd: 4, name: "federation", kind: .tcp, isListening: true),
                    ])
            }
        }

        @Test func anUnnamedSocketIsCalledUnknownAsSystemdDoes() throws {
            try withTemporaryDirectory { dir in
                let control = try makeUnixSocket(path: dir + "/loadd.sock", type: Int32(SOCK_STREAM.rawValue))
                defer { close(control) }
                let sockets = withPassedDescriptors([control]) {
                    withEnvironment(["LISTEN_PID": "\(getpid())", "LISTEN_FDS": "1", "LISTEN_FDNAMES": nil]) {
                        SocketActivation.listenFDs()
                    }
                }
                #expect(sockets.map(\.name) == ["unknown"])
                #expect(sockets.map(\.kind) == [.unixStream])
            }
        }

        @Test func aDatagramSocketIsPassedButMarkedOther() throws {
            try withTemporaryDirectory { dir in
                let datagram = try makeUnixSocket(path: dir + "/dgram.sock", type: Int32(SOCK_DGRAM.rawValue))
                defer { close(datagram) }
                let sockets = withPassedDescriptors([datagram]) {
                    withEnvironment(["LISTEN_PID": "\(getpid())", "LISTEN_FDS": "1", "LISTEN_FDNAMES": "odd"]) {
                        SocketActivation.listenFDs()
                    }
                }
                #expect(sockets == [ActivatedSocket(fd: 3, name: "odd", kind: .other, isListening: false)])
            }
        }

        @Test func socketsMeantForAnotherProcessAreIgnored() {
            let sockets = withEnvironment([
                "LISTEN_PID": "\(getpid() + 1)", "LISTEN_FDS": "1", "LISTEN_FDNAMES": "control",
            ]) {
                SocketActivation.listenFDs()
            }
            #expect(sockets.isEmpty)
        }

        @Test func withoutActivationThereAreNoSockets() {
            let sockets = withEnvironment(["LISTEN_PID": nil, "LISTEN_FDS": nil, "LISTEN_FDNAMES": nil]) {
                SocketActivation.listenFDs()
            }
            #expect(sockets.isEmpty)
        }
    }
}

/// Puts `fds` at 3, 4, … for `body`, as the service manager would, then puts back whatever the test
/// process had there (the test runner may own those numbers).
private func withPassedDescriptors<R>(_ fds: [Int32], _ body: () -> R) -> R {
    let targets = fds.indices.map { Int32(3 + $0) }
    // Saved above 100 so that the dup2s below cannot overwrite a saved copy.
    let saved = targets.map { fcntl($0, F_DUPFD_CLOEXEC, 100) }
    for (fd, target) in zip(fds, targets) { dup2(fd, target) }
    defer {
        for (copy, target) in zip(saved, targets) {
            if copy >= 0 {
                dup2(copy, target)
                close(copy)
            } else {
                close(target)
            }
        }
    }
    return body()
}
