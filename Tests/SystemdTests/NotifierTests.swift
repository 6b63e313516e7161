import Glibc
import SystemdSupport
import Testing

extension ProcessStateTests {
    /// The notifier against a real datagram socket standing in for systemd's notify socket.
    @Suite struct Notifier {
        @Test func lifecycleMessagesArriveAsTheNotifyProtocolSpellsThem() throws {
            try withTemporaryDirectory { dir in
                let path = dir + "/notify.sock"
                let listener = try makeUnixSocket(path: path, type: Int32(SOCK_DGRAM.rawValue))
                defer { close(listener) }
                let notifier = SystemdNotifier()
                withEnvironment(["NOTIFY_SOCKET": path]) {
                    #expect(notifier.isUnderSystemd)
                    #expect(notifier.ready())
                    #expect(receiveDatagram(listener) == "READY=1")
                    #expect(notifier.status("running r-42: 200 users"))
                    #expect(receiveDatagram(listener) == "STATUS=running r-42: 200 users")
                    #expect(notifier.watchdog())
                    #expect(receiveDatagram(listener) == "WATCHDOG=1")
                    #expect(notifier.stopping())
                    #expect(receiveDatagram(listener) == "STOPPING=1")
                    #expect(receiveDatagram(listener, timeoutMilliseconds: 0) == nil, "nothing else was sent")
                }
            }
        }

        @Test func statusWithNewlinesStaysOneAssignment() throws {
            try withTemporaryDirectory { dir in
                let path = dir + "/notify.sock"
                let listener = try makeUnixSocket(path: path, type: Int32(SOCK_DGRAM.rawValue))
                defer { close(listener) }
                withEnvironment(["NOTIFY_SOCKET": path]) {
                    SystemdNotifier().status("line one\nREADY=1")
                }
                #expect(receiveDatagram(listener) == "STATUS=line one READY=1")
            }
        }

        @Test func reloadingCarriesTheCurrentMonotonicTime() throws {
            try withTemporaryDirectory { dir in
                let path = dir + "/notify.sock"
                let listener = try makeUnixSocket(path: path, type: Int32(SOCK_DGRAM.rawValue))
                defer { close(listener) }
                let before = monotonicMicroseconds()
                withEnvironment(["NOTIFY_SOCKET": path]) { SystemdNotifier().reloading() }
                let after = monotonicMicroseconds()
                let lines = try #require(receiveDatagram(listener)).split(separator: "\n")
                #expect(lines.count == 2)
                #expect(lines.first == "RELOADING=1")
                let last = try #require(lines.last)
                #expect(last.hasPrefix("MONOTONIC_USEC="))
                let stamp = try #require(UInt64(last.dropFirst("MONOTONIC_USEC=".count)))
                #expect((before...after).contains(stamp))
            }
        }

        @Test func withoutNotifySocketEveryCallIsAHarmlessNoOp() {
            withEnvironment(["NOTIFY_SOCKET": nil]) {
                let notifier = SystemdNotifier()
                #expect(!notifier.isUnderSystemd)
                #expect(!notifier.ready())
                #expect(!notifier.status("idle"))
                #expect(!notifier.watchdog())
                #expect(!notifier.reloading())
                #expect(!notifier.stopping())
            }
        }

        @Test func watchdogIntervalIsHalfOfWatchdogSecForThisProcessOnly() {
            let notifier = SystemdNotifier()
            withEnvironment(["WATCHDOG_USEC": "10000000", "WATCHDOG_PID": "\(getpid())"]) {
                #expect(notifier.watchdogInterval == .seconds(5))
            }
            // systemd sets WATCHDOG_PID so that a child inheriting the variables does not ping.
            withEnvironment(["WATCHDOG_USEC": "10000000", "WATCHDOG_PID": "\(getpid() + 1)"]) {
                #expect(notifier.watchdogInterval == nil)
            }
            withEnvironment(["WATCHDOG_USEC": nil, "WATCHDOG_PID": nil]) {
                #expect(notifier.watchdogInterval == nil)
            }
        }
    }
}

private func monotonicMicroseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
}
