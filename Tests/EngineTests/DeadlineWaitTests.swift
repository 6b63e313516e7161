import CCurl
import Testing

@testable import Engine

/// The engine thread's wait: never before its deadline, and with the timerfd much closer to it than
/// `curl_multi_poll`'s whole-millisecond timeout alone.
@Suite(.serialized) struct DeadlineWaitTests {
    /// Waits `count` times for `offset` µs on an empty multi (nothing but the deadline can end the
    /// wait); each wake's lateness past its deadline, µs, sorted. A wake before its deadline is -1.
    private func latenesses(_ waiter: DeadlineWait, offset: UInt64, count: Int) throws -> [Int64] {
        let multi = try #require(curl_multi_init())
        defer { curl_multi_cleanup(multi) }
        var late: [Int64] = []
        for _ in 0..<count {
            let now = MonotonicClock.micros()
            let deadline = now + offset
            var woke = now
            // A wait may end early (a signal); the loop it serves then simply waits again, as here.
            for _ in 0..<100 where woke < deadline {
                waiter.wait(on: multi, until: deadline, now: woke)
                woke = MonotonicClock.micros()
            }
            late.append(woke >= deadline ? Int64(woke - deadline) : -1)
        }
        return late.sorted()
    }

    @Test func aWaitNeverEndsBeforeItsDeadlineAfterTheTimerHasFired() throws {
        let waiter = DeadlineWait(millisecondsOnly: false)
        let multi = try #require(curl_multi_init())
        defer { curl_multi_cleanup(multi) }
        // Alternating short and longer deadlines: a timer that fired and was never read must not end
        // the next wait at once (it would if it were not re-armed).
        for offset: UInt64 in [300, 2_500, 150, 1_200, 700, 3_000] {
            let now = MonotonicClock.micros()
            waiter.wait(on: multi, until: now + offset, now: now)
            let woke = MonotonicClock.micros()
            #expect(woke >= now + offset, "woke \(now + offset - woke) µs early for a \(offset) µs wait")
        }
    }

    @Test func theTimerfdWakesCloserToTheDeadlineThanTheMillisecondTimeout() throws {
        // 1.3 ms: the millisecond timeout rounds it up to 2 ms, about 700 µs late every time.
        let precise = try latenesses(DeadlineWait(millisecondsOnly: false), offset: 1_300, count: 41)
        let coarse = try latenesses(DeadlineWait(millisecondsOnly: true), offset: 1_300, count: 41)
        #expect(precise.first.map { $0 >= 0 } == true && coarse.first.map { $0 >= 0 } == true, "a wait ended early")
        // Medians, not single wakes: a loaded machine delays some wakes of either kind.
        #expect(
            precise[20] + 300 < coarse[20], "timerfd median \(precise[20]) µs, millisecond timeout \(coarse[20]) µs")
    }
}
