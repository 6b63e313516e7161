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
        if summary.marks?.isEmpty == false { try write(Data(LocustCSV.marks(summary).utf8), to: "\(base)/marks.csv") }
        if report {
            var files = ["summary.json", "stats.csv", "stats_history.csv", "failures.csv", "run.json", "scenario.yaml"]
            if summary.marks?.isEmpty == false { files.append("marks.csv") }
            try write(Data(HTMLReport.render(summary, files: files).utf8), to: "\(base)/report.html")
        }
    }

    func info(_ id: RunID) -> RunInfo? {
        guard case .success(let info) = readInfo(id) else { return nil }
        return info
    }

    /// `run.json`, or why it cannot be read (for a `damaged` entry in the list).
    func readInfo(_ id: RunID) -> Result<RunInfo, StoreDamage> {
        guard let data = FileManager.default.contents(atPath: "\(folder(id))/run.json") else {
            return .failure(StoreDamage("run.json is missing or unreadable"))
        }
        do {
            return .success(try WireJSON.decode(RunInfo.self, from: data))
        } catch {
            return .failure(StoreDamage("run.json is not a run record (\(data.count) bytes; truncated or edited?)"))
        }
    }

    /// `summary.json` as stored, `nil` if the run or its summary does not exist.
    func summaryText(_ id: RunID) -> String? {
        FileManager.default.contents(atPath: "\(folder(id))/summary.json").map { String(decoding: $0, as: UTF8.self) }
    }

    /// The stored summary checked by decoding it: `nil` if there is none, a failure naming the
    /// problem if it cannot be read (truncated, edited), never passed on as if it were whole.
    func storedSummary(_ id: RunID) -> Result<String, StoreDamage>? {
        guard let text = summaryText(id) else { return nil }
        do {
            _ = try SummaryJSON.decode(text)
            return .success(text)
        } catch {
            return .failure(StoreDamage("summary.json cannot be read: \(error)"))
        }
    }

    /// Every run, newest first (ids sort by start time). A folder whose `run.json` cannot be read,
    /// or whose `summary.json` is cut short, is listed as `damaged` with the reason instead of
    /// being left out: a run that silently vanishes from the list is worse than one marked broken.
    func list() -> [RunInfo] {
        runIDs().sorted { $0.rawValue > $1.rawValue }.map { id in
            switch readInfo(id) {
            case .success(var info):
                if let damage = summaryTruncation(id) {
                    info.state = .damaged
                    info.damage = damage
                }
                return info
            case .failure(let damage):
                return RunInfo(
                    id: id, scenario: "", host: "", state: .damaged, startedAt: 0, endedAt: nil, users: 0,
                    requests: 0, failures: 0, damage: damage.description)
            }
        }
    }

    /// A cheap check for the list: a whole summary ends with `}` (and a newline); decoding every
    /// summary of a long history on each `runs` would cost seconds.
    private func summaryTruncation(_ id: RunID) -> String? {
        let path = "\(folder(id))/summary.json"
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return "summary.json is not a file" }
        let size = Int(info.st_size)
        guard size > 0 else { return "summary.json is empty" }
        var tail = [UInt8](repeating: 0, count: min(size, 16))
        let count = pread(fd, &tail, tail.count, off_t(size - tail.count))
        guard count == tail.count else { return "summary.json cannot be read" }
        let last = tail.last {
            ![UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t")].contains($0)
        }
        return last == UInt8(ascii: "}") ? nil : "summary.json is truncated (\(size) bytes, no closing brace)"
    }

    /// Runs a previous daemon left running or stopping (it crashed or was killed) become `interrupted`,
    /// with the counts of their last stored summary and the time it was written as their end.
    /// - Returns: the runs changed, for the log.
    /// `kept` is a run about to be resumed instead (`RunResumption`); `reasons` say why a run was not.
    func markInterrupted(except kept: RunID? = nil, reasons: [RunID: String] = [:]) -> [RunInfo] {
        var changed: [RunInfo] = []
        for id in runIDs() where id != kept {
            guard var info = info(id), info.state == .running || info.state == .stopping else { continue }
            removeResumeRecord(id)
            info.state = .interrupted
            let summaryPath = "\(folder(id))/summary.json"
            info.endedAt = modificationTime(summaryPath) ?? modificationTime("\(folder(id))/run.json") ?? Int(time(nil))
            if let text = summaryText(id), let summary = try? SummaryJSON.decode(text) {
                info.requests = summary.total.requests
                info.failures = summary.total.failures
                // The reports say so too, not just the list: a summary written mid-run says `passed`.
                let marked = Verdict.interrupted(
                    summary,
                    reason: reasons[id] ?? "loadd ended while the run was going "
                        + "(killed, crashed or restarted)")
                try? writeResults(marked, of: id)
            }
            if (try? writeInfo(info)) != nil { changed.append(info) }
        }
        return changed
    }

    /// Removes run `id`'s folder and everything in it.
    /// - Throws: `StoreDamage` when it is not there or cannot be removed.
    func remove(_ id: RunID) throws {
        var info = stat()
        guard lstat(folder(id), &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { throw StoreDamage("no run \(id)") }
        do {
            try FileManager.default.removeItem(atPath: folder(id))
        } catch {
            throw StoreDamage("cannot remove \(folder(id)): \(error.localizedDescription)")
        }
    }

    /// Folder names that are run ids; anything else an operator left there is not ours to read.
    func runIDs() -> [RunID] {
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
    /// `durable` (the resume record) also flushes the file to disk before the rename, mode 0600.
    func write(_ data: Data, to path: String, durable: Bool = false) throws {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, durable ? 0o600 : 0o644)
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
        if durable && failure == 0 && fsync(fd) != 0 { failure = errno }
        if close(fd) != 0 && failure == 0 { failure = errno }
        if failure == 0 && rename(temporary, path) != 0 { failure = errno }
        if failure != 0 {
            unlink(temporary)
            throw StoreError(path: path, errno: failure)
        }
    }
}

/// Why a stored run cannot be read, in words for `loadctl runs`.
struct StoreDamage: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
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
    var description: String {
        "another loadd uses the state directory \(stateDir); stop it first or choose another --state-dir"
    }
}
