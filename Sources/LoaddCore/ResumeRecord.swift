import Engine
import Federation
import Foundation
import Glibc
import Protocol

/// `resume.json` in a running run's folder: what a restarted daemon needs to carry the run on
/// (`RunResumption`), rewritten atomically and flushed to disk every second while the run goes.
/// The scenario text is the folder's `scenario.yaml`; the vars and data files sent with the run are
/// never written (they may be secrets), so a run that had any is recorded as not resumable, with
/// the reason.
struct ResumeRecord: Codable, Sendable {
    static let fileName = "resume.json"
    static let currentVersion = 1
    /// A record larger than this is not one this daemon wrote (a week of history is ~300 MB less).
    static let maxBytes = 512 * 1024 * 1024

    var version = ResumeRecord.currentVersion
    /// The node's role when it was written: a master's run is resumed only by a master, a
    /// single node's by a single node.
    var role: NodeRole
    /// Unix time it was written: the grace period (`resume_within:`) counts from here.
    var savedAt: Double
    /// The start request without its vars and data files.
    var file: String
    var overrides: RunOverrides
    var remoteFiles: Bool?
    /// Why this run cannot be carried on after a restart, when it cannot; then nothing below is kept.
    var refusal: String?
    var checkpoint: RunLedger.Checkpoint?
    /// The load a user set with `loadctl users` / `loadctl rate`, replacing the plan's.
    var users: Int?
    var rate: Double?
    var marks: [RunMark] = []
    /// A master's fleet books beside the merged statistics (`FleetRunCheckpoint`).
    var fleet: FleetRunCheckpoint?

    /// Why `request` cannot be resumed from disk: its values are kept in memory only.
    static func refusal(for request: StartRunRequest) -> String? {
        if let vars = request.vars, !vars.isEmpty {
            return "its \(vars.count) var\(vars.count == 1 ? "" : "s") (--var, --secret-var, {{env.NAME}}) "
                + "are never written to disk, so a restarted loadd cannot compile it again"
        }
        if let files = request.files, !files.isEmpty {
            return "the data files sent with it are never written to disk, so a restarted loadd cannot compile "
                + "it again (use --remote-files with files in data_dir: for runs that must survive a restart)"
        }
        return nil
    }
}

extension RunStore {
    func writeResumeRecord(_ record: ResumeRecord, of id: RunID) throws {
        try write(WireJSON.data(record), to: "\(folder(id))/\(ResumeRecord.fileName)", durable: true)
    }

    /// The run's resume record, or why there is none to use.
    func readResumeRecord(_ id: RunID) -> Result<ResumeRecord, StoreDamage> {
        let path = "\(folder(id))/\(ResumeRecord.fileName)"
        var info = stat()
        guard stat(path, &info) == 0 else { return .failure(StoreDamage("it has no \(ResumeRecord.fileName)")) }
        guard Int(info.st_size) <= ResumeRecord.maxBytes, let data = FileManager.default.contents(atPath: path) else {
            return .failure(StoreDamage("its \(ResumeRecord.fileName) cannot be read"))
        }
        do {
            return .success(try WireJSON.decode(ResumeRecord.self, from: data))
        } catch {
            return .failure(StoreDamage("its \(ResumeRecord.fileName) is not a resume record (truncated or edited?)"))
        }
    }

    func removeResumeRecord(_ id: RunID) {
        unlink("\(folder(id))/\(ResumeRecord.fileName)")
    }
}
