import CCurl
import Histogram
import Protocol
import Testing

@testable import Engine

@Suite struct RampTests {
    @Test func rampUpStartsTheFirstUserAtOnceThenOnePerInterval() {
        let ramp = Ramp(from: 0, to: 10, rate: 2, startMicros: 0)
        #expect(ramp.total(at: 0) == 1)
        #expect(ramp.total(at: 499_999) == 1)
        #expect(ramp.total(at: 500_000) == 2)
        #expect(ramp.total(at: 4_500_000) == 10)
        #expect(ramp.total(at: 60_000_000) == 10)
    }

    @Test func rampDownStopsUsersAtTheSameRate() {
        let ramp = Ramp(from: 10, to: 4, rate: 1, startMicros: 0)
        #expect(ramp.total(at: 0) == 9)
        #expect(ramp.total(at: 2_000_000) == 7)
        #expect(ramp.total(at: 100_000_000) == 4)
    }

    @Test func threadSharesAddUpToTheTotal() {
        for total in 0..<50 {
            for threads in 1...5 {
                let sum = (0..<threads).map { Ramp.share(of: total, thread: $0, threads: threads) }.reduce(0, +)
                #expect(sum == total)
            }
        }
    }
}

@Suite struct TimerHeapTests {
    @Test func popsDueEntriesEarliestFirst() {
        var heap = TimerHeap()
        for (i, wake) in [50, 10, 40, 20, 30].enumerated() {
            heap.push(.init(wake: UInt64(wake), slot: Int32(i), generation: 0))
        }
        var order: [UInt64] = []
        while let entry = heap.popDue(35) { order.append(entry.wake) }
        #expect(order == [10, 20, 30])
        #expect(heap.earliest == 40)
    }
}

@Suite struct WindowStatsTests {
    @Test func latencyIsMeasuredFromIntendedStartNotFromSend() {
        let stats = WindowStats(endpoints: 1)
        stats.record(endpoint: 0, intended: 0, sent: 40_000, done: 50_000, bytes: 10, failure: nil)
        #expect(stats.latency[0].max == WindowHistogram.highestEquivalent(50_000))
        #expect(stats.serviceTime[0].max == WindowHistogram.highestEquivalent(10_000))
    }

    @Test func failuresAreCountedByReason() {
        let stats = WindowStats(endpoints: 2)
        stats.record(endpoint: 1, intended: 0, sent: 0, done: 10, bytes: 0, failure: .status(500))
        stats.record(endpoint: 1, intended: 0, sent: 0, done: 10, bytes: 0, failure: .status(500))
        stats.record(endpoint: 1, intended: 0, sent: 0, done: 10, bytes: 0, failure: .timeout)
        #expect(stats.failures == [0, 3])
        #expect(stats.failureReasons[1] == [.status(500): 2, .timeout: 1])
        stats.clear()
        #expect(stats.requests == [0, 0] && stats.failureReasons[1].isEmpty)
    }
}

@Suite struct TemplateRendererTests {
    private func render(_ template: Template, values: UserValues = UserValues()) -> String {
        let buffer = RenderBuffer(capacity: 4)
        var random = FastRandom()
        TemplateRenderer.render(template, into: buffer, user: values, random: &random)
        return String(decoding: UnsafeBufferPointer(start: buffer.base, count: buffer.count), as: UTF8.self)
    }

    @Test func uuidIsVersionFourInCanonicalForm() {
        let text = render(Template(parts: [.uuid]))
        let groups = text.split(separator: "-")
        #expect(groups.map(\.count) == [8, 4, 4, 4, 12])
        #expect(groups[2].first == "4")
        #expect("89ab".contains(groups[3].first!))
    }

    @Test func formEscapingEncodesPlaceholderValuesOnly() {
        var values = UserValues()
        values.vars = [Array("a b&c=d".utf8)]
        let template = Template(parts: [.literal(Array("id=".utf8)), .variable(0)], escaping: .form)
        #expect(render(template, values: values) == "id=a+b%26c%3Dd")
    }

    @Test func jsonEscapingKeepsTheDocumentValid() {
        var values = UserValues()
        values.data = [Array("say \"hi\"\\".utf8)]
        let template = Template(
            parts: [.literal(Array("{\"m\":\"".utf8)), .data(0), .literal(Array("\"}".utf8))],
            escaping: .json)
        #expect(render(template, values: values) == #"{"m":"say \"hi\"\\"}"#)
    }

    @Test func randomIntStaysInItsRange() {
        for _ in 0..<200 {
            let value = Int(render(Template(parts: [.randomInt(-3, 7)])))!
            #expect((-3...7).contains(value))
        }
    }
}

@Suite struct FailureReasonTests {
    @Test func statusOutsideTheCheckIsAFailure() {
        #expect(
            FailureReason.classify(curlCode: CURLE_OK, osErrno: 0, status: 500, check: .default, bodyMatched: true)
                == .status(500))
        #expect(
            FailureReason.classify(curlCode: CURLE_OK, osErrno: 0, status: 302, check: .default, bodyMatched: true)
                == nil)
        let only201 = Check(status: .oneOf([201]))
        #expect(
            FailureReason.classify(curlCode: CURLE_OK, osErrno: 0, status: 200, check: only201, bodyMatched: true)
                == .status(200))
    }

    @Test func describedLikeLocustsFailuresTab() {
        #expect(FailureReason.status(503).describe(check: nil) == "HTTP 503")
        #expect(FailureReason.connectionRefused.describe(check: nil) == "connection refused")
        #expect(
            FailureReason.bodyCheck.describe(check: Check(bodyContains: Array("ok".utf8)))
                == #"check failed: body does not contain "ok""#)
    }
}

@Suite struct RunAggregatorTests {
    @Test func aLateIntervalJoinsItsClosedSecondInsteadOfAddingARow() {
        var aggregator = RunAggregator(
            endpoints: [EndpointKey(method: "GET", name: "/a")], expectedReporters: 2,
            startUnixSeconds: 0)
        aggregator.absorb(interval(second: 0, requests: 5))
        aggregator.closeSeconds(before: 1)
        aggregator.absorb(interval(second: 0, requests: 7))
        #expect(aggregator.history.map(\.second) == [0])
        #expect(aggregator.history[0].requests == 12)
        #expect(aggregator.history[0].users == 2)
        #expect(aggregator.requestCount == 12)
    }
}

@Suite struct SparseHistogramWireTests {
    @Test func packedFormRoundTripsExactly() throws {
        var histogram = LatencyHistogram()
        for value: UInt64 in [1, 2, 200, 201, 5_000, 123_456, 3_000_000] {
            histogram.record(value, count: value % 7 + 1)
        }
        let sparse = SparseHistogram(histogram)
        #expect(SparseHistogram(packed: sparse.packed) == sparse)
        var rebuilt = LatencyHistogram()
        sparse.add(into: &rebuilt)
        #expect(rebuilt.totalCount == histogram.totalCount)
        // Same bucket; the source may report its exact maximum where the copy has the bucket's top.
        let (source, copy) = (
            histogram.percentilesAndMean([50, 99]).values, rebuilt.percentilesAndMean([50, 99]).values
        )
        #expect(LatencyHistogram.highestEquivalent(copy[1]) == LatencyHistogram.highestEquivalent(source[1]))
        #expect(copy[0] == source[0])
        #expect(SparseHistogram(packed: "") == SparseHistogram())
    }

    @Test func malformedPackedTextIsRejectedNotTrusted() {
        for bad in ["1", "1.", ".1", "1.2,", "1.2,0.3", "x.1", "1.2.3", "99999999999999999999.1"] {
            #expect(SparseHistogram(packed: bad) == nil, "\(bad)")
        }
    }
}

@Suite struct PercentileWalkTests {
    @Test func onePassPercentilesEqualHdrHistogramsOwn() {
        var random = FastRandom()
        for size in [1, 2, 7, 100, 10_000] {
            // HdrHistogram's own dense histogram over the same range is the reference.
            var reference = Histogram<UInt64>(
                lowestDiscernibleValue: 1, highestTrackableValue: LatencyHistogram.highestTrackable,
                numberOfSignificantValueDigits: .three)
            var histogram = LatencyHistogram()
            for _ in 0..<size {
                let value =
                    UInt64.random(in: 1...4_000_000_000, using: &random) >> UInt64.random(in: 0...30, using: &random)
                histogram.record(value)
                reference.record(value)
            }
            let asked: [Double] = [0, 50, 66, 75, 80, 90, 95, 98, 99, 99.9, 99.99, 100]
            let (values, mean) = histogram.percentilesAndMean(asked)
            #expect(values == asked.map { reference.valueAtPercentile($0) }, "size \(size)")
            #expect(mean == reference.mean)
            #expect(histogram.max == reference.max && histogram.min == reference.min)
        }
    }
}
