import Foundation
import Protocol
import Report
import Testing

private let python3 = ["/usr/bin/python3", "/usr/local/bin/python3"].first {
    FileManager.default.isExecutableFile(atPath: $0)
}

/// `read_like_locust_tools.py` in the fixture folder does what a tool made for Locust's CSVs does:
/// `csv.DictReader`, then `int()` where Locust writes integers and `float()` where it writes decimals.
@Suite(.enabled(if: python3 != nil, "python3 is not installed"))
struct LocustCSVPythonTests {
    @Test func pythonsCSVModuleReadsOurFilesWithLocustsColumnTypes() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "locust-py-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let prefix = dir.appendingPathComponent("run").path
        try LocustCSV.write(LocustShaped.summary(), prefix: prefix)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python3!)
        process.arguments = [locustFixtureFolder + "/read_like_locust_tools.py", locustFixtureFolder, prefix]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(text.contains("stats_history: 3 rows read"))
    }
}
