import Federation

/// FleetBench's command line. Parsed by hand: a benchmark helper is not worth an ArgumentParser
/// dependency, and every flag takes exactly one value.
struct Options: Sendable {
    var masterHost = ""
    var masterPort = 0
    var tokenFile = ""
    var workers = 200
    var endpoints = 20
    var seconds = 30
    /// Requests per endpoint in each one-second report, and the histogram buckets they spread over.
    var requests = 100
    var buckets = 50
    /// The master's pid for CPU and memory; its control socket for the delay. Each is optional:
    /// without it, that figure is left out.
    var masterPID: Int32?
    var socket: String?
    /// Reports of one second go out spread over this many milliseconds (0: all at once). Real workers
    /// are not synchronised, so a spread over the whole second is the realistic default.
    var spreadMs = 1000
    var pollMs = 20
    /// Event loops for the fakes: one is enough for 200 connections, and the benchmark runs on one core.
    var loops = 1
    /// The verdict's bound: the master's share of one core, in percent.
    var targetCPU = 10.0
    /// Speak TLS to a master with `tls_cert:`, pinning this certificate fingerprint.
    var tlsFingerprint: CertificateFingerprint?

    static let usage = """
        usage: FleetBench --master HOST:PORT --token-file FILE [--workers 200] [--endpoints 20] [--seconds 30]
                          [--master-pid PID] [--socket PATH] [--requests 100] [--buckets 50]
                          [--spread-ms 1000] [--poll-ms 20] [--loops 1] [--target-cpu 10] [--tls-fingerprint HEX]
        """

    /// - Throws: `UsageError` naming the flag at fault.
    static func parse(_ arguments: [String]) throws(UsageError) -> Options {
        var options = Options()
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst() else { throw UsageError("\(flag) needs a value") }
            try options.set(flag, value)
        }
        guard options.masterPort > 0, !options.tokenFile.isEmpty else {
            throw UsageError("--master and --token-file are required")
        }
        // Two seconds of warm-up and one of tail are left out; the rest splits into two windows.
        guard options.seconds >= 8 else { throw UsageError("--seconds must be at least 8") }
        guard options.workers > 0, options.endpoints > 0, options.requests > 0, options.buckets > 0,
            options.loops > 0, options.pollMs > 0, (0...1000).contains(options.spreadMs)
        else {
            throw UsageError("counts must be positive and --spread-ms within 0…1000")
        }
        return options
    }

    private mutating func set(_ flag: String, _ value: String) throws(UsageError) {
        func int() throws(UsageError) -> Int {
            guard let number = Int(value) else { throw UsageError("\(flag) takes a whole number, not \(value)") }
            return number
        }
        switch flag {
        case "--master":
            guard let colon = value.lastIndex(of: ":"), let port = Int(value[value.index(after: colon)...]) else {
                throw UsageError("--master takes HOST:PORT, not \(value)")
            }
            masterHost = String(value[..<colon])
            masterPort = port
        case "--token-file": tokenFile = value
        case "--workers": workers = try int()
        case "--endpoints": endpoints = try int()
        case "--seconds": seconds = try int()
        case "--requests": requests = try int()
        case "--buckets": buckets = try int()
        case "--master-pid": masterPID = Int32(try int())
        case "--socket": socket = value
        case "--spread-ms": spreadMs = try int()
        case "--poll-ms": pollMs = try int()
        case "--loops": loops = try int()
        case "--target-cpu":
            guard let number = Double(value) else { throw UsageError("--target-cpu takes a number, not \(value)") }
            targetCPU = number
        case "--tls-fingerprint":
            guard let pin = CertificateFingerprint(parsing: value) else {
                throw UsageError("--tls-fingerprint takes a SHA-256 fingerprint (64 hex digits), not \(value)")
            }
            tlsFingerprint = pin
        default: throw UsageError("unknown flag \(flag)")
        }
    }
}

/// A command line FleetBench cannot run with; printed with the usage.
struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
