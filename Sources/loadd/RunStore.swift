import Foundation
import Glibc
import Protocol
import Report

/// The run store: one folder per run under `STATE_DIR/runs/`, named by its id and holding
/// `scenario.yaml`, `run.json` (`RunInfo`), `summary.json`, Locust's `stats.csv`,
/// `stats_history.csv` and `failures.csv`, and `report.html`. Every file is replaced atomically, so a
/// reader or a crash sees the previous second's version or the new one, never half of one.
struct RunStore: Sendable {
    /// `STATE_DIR/runs`.
    let root: String

    /// Opens (creating if needed) the store under `stateDir` and locks it for this process's life:
    /// a second daemon on the same folder would mark the first one's running run interrupted.
    init(stateDir: String) throws {
        root = stateDir + "/runs"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let lockPath = stateDir + "/loadd.lock"
        // Deliberately never closed: the kernel drops the lock when the process ends, however it ends.
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StoreError(path: lockPath, errno: errno) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno
            close(fd)
            if reason == EWOULDBLOCK { throw StoreLockedError(stateDir: stateDir) }
            throw StoreError(path: lockPath, errno: reason)
        }
    }

    func folder(_ id: RunID) -> String { "\(root)/\(id.rawValue)" }

    /// Makes the run's folder and keeps the scenario text exactly as the client sent it.
    func create(_ id: RunID, scenario: String) throws {
        guard mkdir(folder(id), 0o755) == 0 else { throw StoreError(path: folder(id), errno: errno) }
        try write(Data(scenario.utf8), to: "\(folder(id))/scenario.yaml")
    }

    func writeInfo(_ info: RunInfo) throws {
        try write(WireJSON.encode(info, pretty: true), to: "\(folder(info.id))/run.json")
    }

    /// The summary, the three CSVs and (with `report`) the HTML report, rendered from one snapshot
    /// so they agree with each other.
    func writeResults(_ summary: RunSummary, of id: RunID, report: Bool = true) throws {
        let base = folder(id)
        try write(Data((SummaryJSON.encode(summary) + "\n").utf8), to: "\(base)/summary.json")
        try write(Data(LocustCSV.stats(summary).utf8), to: "\(base)/stats.csv")
        try write(Data(LocustCSV.history(summary).utf8), to: "\(base)/stats_history.csv")
        try write(Data(LocustCSV.failures(summary).utf8), to: "\(base)/failures.csv")
        if report { try write(Data(HTMLReport.render(summary).utf8), to: "\(base)/report.html") }
    }

    func info(_ id: RunID) -> RunInfo? {
        guard let data = FileManager.default.contents(atPath: "\(folder(id))/run.json") else { return nil }
        return try? JSONDecoder().decode(RunInfo.self, from: data)
    }

    /// `summary.json` as stored, `nil` if the run or its summary does not exist.
    func summaryText(_ id: RunID) -> String? {
        FileManager.default.contents(atPath: "\(folder(id))/summary.json").map { String(decoding: $0, as: UTF8.self) }
    }

    /// Every run with a readable `run.json`, newest first (ids sort by start time).
    func list() -> [RunInfo] {
        runIDs().sorted { $0.rawValue > $1.rawValue }.compactMap(info)
    }

    /// Runs a previous daemon left running or stopping (it crashed or was killed) become `interrupted`,
    /// with the counts of their last stored summary and the time it was written as their end.
    /// - Returns: the runs changed, for the log.
    func markInterrupted() -> [RunInfo] {
        var changed: [RunInfo] = []
        for id in runIDs() {
            guard var info = info(id), info.state == .running || info.state == .stopping else { continue }
            info.state = .interrupted
            let summaryPath = "\(folder(id))/summary.json"
            if let text = summaryText(id), let summary = try? SummaryJSON.decode(text) {
                info.requests = summary.total.requests
                info.failures = summary.total.failures
            }
            info.endedAt = modificationTime(summaryPath) ?? modificationTime("\(folder(id))/run.json") ?? Int(time(nil))
            if (try? writeInfo(info)) != nil { changed.append(info) }
        }
        return changed
    }

    /// Folder names that are run ids; anything else an operator left there is not ours to read.
    private func runIDs() -> [RunID] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return names.filter(RunIdentifier.isValid).map { RunID(rawValue: $0) }
    }

    private func modificationTime(_ path: String) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int(info.st_mtim.tv_sec)
    }

    /// Writes a temporary file next to `path`, then renames it over `path` (atomic on one file system).
    /// Mode 0644 so the operators' group can read reports; the state directory's mode guards the rest.
    private func write(_ data: Data, to path: String) throws {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StoreError(path: temporary, errno: errno) }
        var failure: Int32 = 0
        data.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(fd, base + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                offset += written
            }
        }
        if close(fd) != 0 && failure == 0 { failure = errno }
        if failure == 0 && rename(temporary, path) != 0 { failure = errno }
        if failure != 0 {
            unlink(temporary)
            throw StoreError(path: path, errno: failure)
        }
    }
}

/// A run-store file that could not be written, with the system's reason.
struct StoreError: Error, CustomStringConvertible {
    var path: String
    var errno: Int32
    var description: String { "cannot write \(path): \(String(cString: strerror(errno)))" }
}

/// Another process holds the run store's lock.
struct StoreLockedError: Error, CustomStringConvertible {
    var stateDir: String
    var description: String { "another loadd uses the state directory \(stateDir); stop it first or choose another --state-dir" }
}
