import Glibc
import SystemdSupport
import Testing

@Suite struct FileDescriptorLimitTests {
    @Test func softLimitIsRaisedToTheHardLimit() throws {
        let (soft, hard) = FileDescriptorLimit.raiseSoftToHard()
        var current = rlimit()
        try #require(getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &current) == 0)
        #expect(soft == UInt64(current.rlim_cur))
        #expect(hard == UInt64(current.rlim_max))
        if current.rlim_max != rlim_t.max {
            #expect(soft == hard)
        }
        // Raising again changes nothing.
        #expect(FileDescriptorLimit.raiseSoftToHard() == (soft, hard))
    }

    @Test func maxUsersKeepsAReserveForTheDaemon() {
        #expect(FileDescriptorLimit.reservedForDaemon == 64)
        #expect(FileDescriptorLimit.maxUsers(openFiles: 20_000) == 19_936)
        #expect(FileDescriptorLimit.maxUsers(openFiles: 1_048_576) == 1_048_512)
        #expect(FileDescriptorLimit.maxUsers(openFiles: 64) == 0)
        #expect(FileDescriptorLimit.maxUsers(openFiles: 10) == 0)
        #expect(FileDescriptorLimit.maxUsers(openFiles: .max) > 0)
    }
}
