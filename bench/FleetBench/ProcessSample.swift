import Foundation
import NIOCore

/// A process's CPU time and memory as the kernel accounts them, read from `/proc/PID/stat` (user
/// plus system time, in clock ticks) and `/proc/PID/status` (resident set now and at its peak),
/// and how long its threads waited for a CPU (`schedstat`): a master that is short of CPU, because
/// it needs more than its core or shares it, shows there rather than in its CPU share.
struct ProcessSample: Sendable {
    let at: NIODeadline
    let cpuSeconds: Double
    let rssKiB: Int
    let peakKiB: Int
    let waitSeconds: Double

    static func read(pid: Int32) throws -> ProcessSample {
        let at = NIODeadline.now()
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        // The command name may hold spaces and parentheses: fields are counted after its last ')'.
        guard let close = stat.lastIndex(of: ")") else { throw ProbeError("unreadable /proc/\(pid)/stat") }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the name come state (field 3) … utime (14) and stime (15).
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else {
            throw ProbeError("unreadable /proc/\(pid)/stat")
        }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        func kib(_ key: String) -> Int {
            let line = status.split(separator: "\n").first { $0.hasPrefix(key + ":") }
            return line.flatMap { Int($0.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "") }
                ?? 0
        }
        return ProcessSample(
            at: at, cpuSeconds: (user + system) / ticks, rssKiB: kib("VmRSS"), peakKiB: kib("VmHWM"),
            waitSeconds: waited(pid: pid))
    }

    /// Run-queue wait of every thread, in seconds (the second field of each thread's `schedstat`).
    private static func waited(pid: Int32) -> Double {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        let nanoseconds = tasks.reduce(0.0) { sum, task in
            let text = (try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/schedstat", encoding: .utf8)) ?? ""
            let fields = text.split(separator: " ")
            return sum + (fields.count > 1 ? Double(fields[1]) ?? 0 : 0)
        }
        return nanoseconds / 1e9
    }

    /// Share of one core used between `earlier` and this sample, in percent.
    func cpuPercent(since earlier: ProcessSample) -> Double {
        let wall = Double((at - earlier.at).nanoseconds) / 1e9
        return wall > 0 ? 100 * (cpuSeconds - earlier.cpuSeconds) / wall : 0
    }

    /// Thread-seconds spent waiting for a CPU per second between `earlier` and this sample, in percent.
    func waitPercent(since earlier: ProcessSample) -> Double {
        let wall = Double((at - earlier.at).nanoseconds) / 1e9
        return wall > 0 ? 100 * (waitSeconds - earlier.waitSeconds) / wall : 0
    }
}
