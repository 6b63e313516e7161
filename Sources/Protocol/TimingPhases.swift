/// The five parts of a request's time, as libcurl's `CURLINFO_*_TIME_T` marks cut it:
/// name lookup, TCP connect, TLS handshake, waiting for the first response byte, and reading the rest.
/// On a reused connection the first three did not happen for this request and are 0.
public enum TimingPhase: Int, CaseIterable, Sendable {
    case dns, connect, tls, ttfb, transfer

    /// The JSON key (and the HTML/dashboard class name).
    public var key: String {
        switch self {
        case .dns: "dns"
        case .connect: "connect"
        case .tls: "tls"
        case .ttfb: "ttfb"
        case .transfer: "transfer"
        }
    }
}

/// The fixed log buckets phase durations are counted in: values below 8 µs exactly, above that eight
/// buckets per power of two (a bucket is at most an eighth of its values wide, so a p95 read at its
/// middle is within ±6 %). 240 buckets cover 0 … 2^32 − 1 µs (71 minutes, past any request timeout).
///
/// Why not the latency histograms' layout (3 significant digits): a phase needs a p95, not a tail to
/// the microsecond, and five more of those per endpoint would have tripled what a worker sends and a
/// master merges every second. A fixed layout merges by adding counts at the same index, exactly.
public enum PhaseBuckets {
    // Inlinable, and constants rather than stored lets: an engine thread buckets five values per request
    // from another module, which must cost a few instructions, not calls.
    @inlinable public static var count: Int { 240 }
    @inlinable public static var highestMicros: UInt64 { (1 << 32) - 1 }

    /// The bucket of `micros` (clamped at `highestMicros`).
    @inlinable @inline(__always) public static func index(of micros: UInt64) -> Int {
        let value = Swift.min(micros, highestMicros)
        if value < 8 { return Int(truncatingIfNeeded: value) }
        let exponent = 63 - value.leadingZeroBitCount   // ≥ 3
        let sub = Int(truncatingIfNeeded: value >> UInt64(exponent - 3)) & 7
        return 8 + (exponent - 3) * 8 + sub
    }

    /// The lowest value of bucket `index` and its width, in µs.
    public static func range(at index: Int) -> (lowest: UInt64, width: UInt64) {
        let index = Swift.max(0, Swift.min(index, count - 1))
        if index < 8 { return (UInt64(index), 1) }
        let shift = UInt64((index - 8) / 8)
        return ((8 + UInt64((index - 8) % 8)) << shift, 1 << shift)
    }

    /// The value a bucket stands for: its middle, in µs.
    public static func middle(at index: Int) -> Double {
        let (lowest, width) = range(at: index)
        return Double(lowest) + Double(width - 1) / 2
    }
}

/// One phase of one endpoint over an interval: the sum (for an exact mean) and the requests per bucket.
public struct PhaseSample: Codable, Sendable, Equatable {
    /// The phase summed over the interval's requests, µs.
    public var sumMicros: UInt64
    /// Requests per bucket: each `values[i]` is a `PhaseBuckets` index, not a duration.
    public var buckets: SparseHistogram

    public init(sumMicros: UInt64 = 0, buckets: SparseHistogram = SparseHistogram()) {
        self.sumMicros = sumMicros
        self.buckets = buckets
    }

    enum CodingKeys: String, CodingKey {
        case sumMicros = "sum_us", buckets
    }
}

/// Where one endpoint's time went in an interval: the five phases of the requests that got an answer,
/// and the bytes they sent and received (headers and body, as libcurl counted them).
public struct EndpointPhases: Codable, Sendable, Equatable {
    public var dns = PhaseSample()
    public var connect = PhaseSample()
    public var tls = PhaseSample()
    public var ttfb = PhaseSample()
    public var transfer = PhaseSample()
    public var bytesSent: UInt64 = 0
    public var bytesReceived: UInt64 = 0

    public init() {}

    public subscript(phase: TimingPhase) -> PhaseSample {
        get {
            switch phase {
            case .dns: dns
            case .connect: connect
            case .tls: tls
            case .ttfb: ttfb
            case .transfer: transfer
            }
        }
        set {
            switch phase {
            case .dns: dns = newValue
            case .connect: connect = newValue
            case .tls: tls = newValue
            case .ttfb: ttfb = newValue
            case .transfer: transfer = newValue
            }
        }
    }

    enum CodingKeys: String, CodingKey {
        case dns, connect, tls, ttfb, transfer, bytesSent = "bytes_sent", bytesReceived = "bytes_received"
    }
}

/// One phase over a span of the run, milliseconds.
public struct PhaseFigures: Codable, Sendable, Equatable {
    /// Over every answered request, those that spent no time in the phase included (a reused
    /// connection's DNS, connect and TLS are 0): the phase's share of the average request.
    public var meanMs: Double
    /// At the middle of its bucket (±6 %).
    public var p95Ms: Double
    /// Requests that spent time in the phase: for DNS, connect and TLS, the requests that opened a connection.
    public var nonzero: UInt64

    public init(meanMs: Double, p95Ms: Double, nonzero: UInt64) {
        self.meanMs = meanMs
        self.p95Ms = p95Ms
        self.nonzero = nonzero
    }

    enum CodingKeys: String, CodingKey {
        case meanMs = "mean_ms", p95Ms = "p95_ms", nonzero
    }
}

/// Where an endpoint's time went over the run (`phases` of an endpoint row and of the total row).
public struct PhaseSummary: Codable, Sendable, Equatable {
    public var dns: PhaseFigures
    public var connect: PhaseFigures
    public var tls: PhaseFigures
    public var ttfb: PhaseFigures
    public var transfer: PhaseFigures
    /// Requests the phases were measured on: those that got an answer.
    public var requests: UInt64
    public var bytesSent: UInt64
    public var bytesReceived: UInt64

    public init(
        dns: PhaseFigures, connect: PhaseFigures, tls: PhaseFigures, ttfb: PhaseFigures,
        transfer: PhaseFigures, requests: UInt64, bytesSent: UInt64, bytesReceived: UInt64
    ) {
        self.dns = dns
        self.connect = connect
        self.tls = tls
        self.ttfb = ttfb
        self.transfer = transfer
        self.requests = requests
        self.bytesSent = bytesSent
        self.bytesReceived = bytesReceived
    }

    public subscript(phase: TimingPhase) -> PhaseFigures {
        switch phase {
        case .dns: dns
        case .connect: connect
        case .tls: tls
        case .ttfb: ttfb
        case .transfer: transfer
        }
    }

    enum CodingKeys: String, CodingKey {
        case dns, connect, tls, ttfb, transfer, requests, bytesSent = "bytes_sent", bytesReceived = "bytes_received"
    }
}
