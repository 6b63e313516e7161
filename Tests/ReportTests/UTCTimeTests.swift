import Glibc
import Protocol
import Testing

/// `UTCTime`, the one clock formatter (reports, `loadctl`, log lines, run ids), agrees with the C library's
/// `gmtime_r` without depending on the machine's time zone.
@Suite struct UTCTimeTests {
    @Test(arguments: [0, 1, 59, 86_399, 86_400, 951_782_400, 1_700_000_000, 4_102_444_800, -1, -86_401])
    func theDateAndTimeAreGmtimes(unix: Int) {
        var time = time_t(unix)
        var parts = tm()
        gmtime_r(&time, &parts)
        let utc = UTCTime(unixSeconds: unix)
        #expect(utc.year == Int(parts.tm_year) + 1900)
        #expect(utc.month == Int(parts.tm_mon) + 1)
        #expect(utc.day == Int(parts.tm_mday))
        #expect([utc.hour, utc.minute, utc.second] == [Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec)])
    }

    @Test func eachFormHasItsOwnShape() {
        let utc = UTCTime(unixSeconds: 1_700_000_000)
        #expect(utc.text == "2023-11-14 22:13:20")
        #expect(utc.iso8601 == "2023-11-14T22:13:20")
        #expect(utc.compact == "20231114-221320")
    }
}
