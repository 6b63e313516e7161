import Protocol
import Report

/// The report files a command was asked for (`--csv`, `--html`), written from one summary. Each is
/// tried even if another failed, so one bad path costs only its own file; any failure is named
/// and makes the exit status 2, as a usage error.
struct ReportFiles {
    /// Locust's four CSVs go to `PREFIX_stats.csv`, `PREFIX_stats_history.csv`, `PREFIX_failures.csv`,
    /// `PREFIX_exceptions.csv`; a run's marks to `PREFIX_marks.csv`.
    var csvPrefix: String?
    var htmlPath: String?

    var isEmpty: Bool { csvPrefix == nil && htmlPath == nil }

    /// Writes them; returns the paths written. - Throws: `ExitCodes.badInput` after naming each failure.
    @discardableResult
    func write(_ summary: RunSummary) throws -> [String] {
        var wrote: [String] = []
        var failed = false
        if let csvPrefix {
            do {
                wrote += try LocustCSV.write(summary, prefix: csvPrefix)
            } catch {
                Console.err("loadctl: \(error)")
                failed = true
            }
        }
        if let htmlPath {
            do {
                try HTMLReport.write(summary, files: linkedFiles(wrote, from: htmlPath), to: htmlPath)
                wrote.append(htmlPath)
            } catch {
                Console.err("loadctl: \(error)")
                failed = true
            }
        }
        if failed { throw ExitCodes.badInput }
        return wrote
    }

    /// The CSVs written into the page's own folder, by name: the page links them relatively.
    private func linkedFiles(_ written: [String], from page: String) -> [String] {
        func folder(_ path: String) -> Substring { path.lastIndex(of: "/").map { path[..<$0] } ?? "" }
        return written.filter { folder($0) == folder(page) }.map { String($0.split(separator: "/").last ?? "") }
    }
}
