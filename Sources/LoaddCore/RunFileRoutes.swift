import Foundation
import Glibc
import NIOHTTP1
import Protocol

/// `GET /v1/runs/{id}/files/{name}`: one of the files the run store keeps for a run (its HTML
/// report, JSON, Locust CSVs, scenario), for the dashboard's run history. Only the names below are
/// served, and only a run id of loadd's own shape reaches a path, so no request can name a file
/// outside the run's folder; a symbolic link planted there is refused rather than followed.
enum RunFileRoutes {
    /// A file a run folder holds and how it is served.
    struct StoredFile: Sendable {
        var contentType: String
        /// Offered as a download named `<run>_<name>` (Locust names its CSVs `PREFIX_stats.csv`).
        var download: Bool
    }

    static let files: [String: StoredFile] = [
        "report.html": StoredFile(contentType: "text/html; charset=utf-8", download: false),
        "summary.json": StoredFile(contentType: "application/json", download: false),
        "run.json": StoredFile(contentType: "application/json", download: false),
        "scenario.yaml": StoredFile(contentType: "text/plain; charset=utf-8", download: false),
        "stats.csv": StoredFile(contentType: "text/csv; charset=utf-8", download: true),
        "stats_history.csv": StoredFile(contentType: "text/csv; charset=utf-8", download: true),
        "failures.csv": StoredFile(contentType: "text/csv; charset=utf-8", download: true),
        "marks.csv": StoredFile(contentType: "text/csv; charset=utf-8", download: true),
    ]

    /// Larger files are not read into memory to answer one request; the message gives their path.
    static let maxServedBytes = 64 << 20

    /// The stored report keeps its own inline style; served under the dashboard's origin it must not
    /// act as that origin, so it runs sandboxed (an opaque origin whose requests the Origin check refuses).
    static let reportPolicy =
        "sandbox allow-scripts allow-downloads; default-src 'none'; style-src 'unsafe-inline'; "
        + "script-src 'unsafe-inline'; img-src data:"

    static func routes(_ store: RunStore) -> [Route] {
        [
            Route(.GET, "/v1/runs/{id}/files/{name}") { _, values in
                try serve(run: values[0], name: values[1], folder: store.folder)
            }
        ]
    }

    static func serve(run: String, name: String, folder: (RunID) -> String) throws -> APIResponse {
        guard RunIdentifier.isValid(run) else {
            throw ControlError(
                .notFound, "no run \(run.prefix(40))",
                details: ["run ids look like 20261122-184501-a3f9 (see GET /v1/runs)"])
        }
        guard let kind = files[name] else {
            throw ControlError(
                .notFound, "a run has no file \(name.prefix(80))",
                details: ["files: " + files.keys.sorted().joined(separator: ", ")])
        }
        let path = folder(RunID(rawValue: run)) + "/" + name
        var response = APIResponse(status: .ok, body: try read(path, run: run, name: name))
        response.contentType = kind.contentType
        response.headers.append(("x-content-type-options", "nosniff"))
        if name == "report.html" { response.headers.append(("content-security-policy", reportPolicy)) }
        if kind.download { response.headers.append(("content-disposition", "attachment; filename=\"\(run)_\(name)\"")) }
        return response
    }

    private static func read(_ path: String, run: String, name: String) throws -> Data {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard fd >= 0 else {
            if errno == ENOENT {
                throw ControlError(.notFound, "run \(run) has no \(name) (no such run, or not written yet)")
            }
            throw ControlError(.failed, "cannot read \(name) of run \(run): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw ControlError(.failed, "\(name) of run \(run) is not a regular file")
        }
        let size = Int(info.st_size)
        guard size <= maxServedBytes else {
            throw ControlError(
                .failed,
                "\(name) of run \(run) is \(size) bytes, more than the "
                    + "\(maxServedBytes) served over the socket; read it from \(path)")
        }
        var data = Data(count: size)
        let count = data.withUnsafeMutableBytes { raw -> Int in
            var offset = 0
            while offset < size {
                let got = pread(fd, raw.baseAddress! + offset, size - offset, off_t(offset))
                if got < 0 && errno == EINTR { continue }
                if got <= 0 { break }
                offset += got
            }
            return offset
        }
        // Files are replaced by rename, never truncated in place: a short read means a broken disk.
        guard count == size else { throw ControlError(.failed, "cannot read \(name) of run \(run) whole") }
        return data
    }
}
