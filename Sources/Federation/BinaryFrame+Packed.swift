import Engine
import NIOCore
import Protocol

/// A worker's `stats` report as a master reads it: every field decoded and checked, but the rows'
/// latency, service-time and lag histograms go, checked, into one flat array of value/count pairs
/// per interval (`PackedHistograms`) until their second closes, instead of two fresh arrays per
/// histogram held row by row (at 1,000 workers, 120,000 arrays a second).
struct PackedStatsReport: Sendable {
    /// The report, each row's latency, service-time and lag histograms empty: they are in `histograms`.
    let report: StatsReport
    /// Per interval of `report`, its rows' histograms.
    let histograms: [PackedHistograms]
    /// The report's sums, the histograms' counts included (`nil` when they pass the cap).
    let sums: StatsBudget.Sums?

    /// The report as `BinaryFrame.read` returns it, histograms decoded.
    var unpacked: StatsReport {
        var full = report
        for i in full.intervals.indices { full.intervals[i] = full.intervals[i].unpacking(histograms[i]) }
        return full
    }
}

extension BinaryFrame {
    /// A stats payload read as a master merges it (see `PackedStatsReport`), every number checked
    /// against `FieldRanges` as `FrameDecoder.message` checks a decoded one. `nil` when the payload is
    /// not a binary stats frame or anything in it is wrong: the caller then reads it again the usual
    /// way, whose error names the field, so a bad frame gets the same error as before, as soon.
    static func readPacked(_ payload: ByteBuffer) -> PackedStatsReport? {
        guard payload.getInteger(at: payload.readerIndex, as: UInt8.self) == Marker.stats.rawValue else { return nil }
        var reader = Reader(buffer: payload)
        reader.buffer.moveReaderIndex(forwardBy: 1)
        var histograms = PackedStatsReader()
        guard let report = try? readReport(&reader, histograms: &histograms), reader.buffer.readableBytes == 0,
            (try? FederationMessage.stats(report).checkRanges()) != nil
        else { return nil }
        // The histograms' counts were left out of the rows: added here, as `Sums(report)` adds them.
        var sums = StatsBudget.Sums(report)
        if sums != nil, !StatsBudget.Sums.add(&sums!.counts, histograms.counts) { sums = nil }
        return PackedStatsReport(report: report, histograms: histograms.intervals, sums: sums)
    }
}

/// Checks each row's histograms and packs them, one `PackedHistograms` per interval; the
/// rows get empty histograms.
struct PackedStatsReader: StatsHistograms {
    private(set) var intervals: [PackedHistograms] = []
    private var current = PackedHistograms()
    /// The latency and service-time histograms' counts, summed (each histogram's total is at most
    /// 2^32 − 1 and a frame holds far fewer than 2^32 of them: no overflow).
    private(set) var counts: UInt64 = 0

    mutating func read(
        _ field: String, counted: Bool, from reader: inout BinaryFrame.Reader
    ) throws(BinaryFrameError) -> SparseHistogram {
        let total = try reader.pack(field, into: &current)
        if counted {
            let (sum, overflow) = counts.addingReportingOverflow(total)
            counts = overflow ? .max : sum
        }
        return SparseHistogram()
    }

    mutating func intervalEnded() {
        intervals.append(current)
        current = PackedHistograms()
    }
}

extension BinaryFrame.Reader {
    /// Checks the histogram at the reader and appends it to `packed` (`PackedHistograms.append`).
    /// Returns its total count.
    mutating func pack(_ field: String, into packed: inout PackedHistograms) throws(BinaryFrameError) -> UInt64 {
        guard let (used, total) = buffer.withUnsafeReadableBytes({ packed.append(varints: $0) }) else {
            // Only says the fast read failed: the frame is read again for the error that names the field.
            throw BinaryFrameError(field: field, problem: "not a checked histogram")
        }
        buffer.moveReaderIndex(forwardBy: used)
        return total
    }
}
