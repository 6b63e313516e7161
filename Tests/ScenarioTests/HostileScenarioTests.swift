import Foundation
import Testing

@testable import Engine

/// `Tests/Fixtures/hostile/`: scenarios a red team wrote to crash or hang the loader. Each file's first
/// line is `# expect: <part of the first error>` or `# expect: ok`; the daemon's tests run the same folder
/// through `loadctl validate` and a live daemon.
let hostileFolder = repositoryRoot + "/Tests/Fixtures/hostile"

/// One hostile file and what loading it must give.
struct HostileFile: CustomTestStringConvertible, Sendable {
    var name: String
    /// `nil`: it loads.
    var expectedError: String?
    var testDescription: String { name }

    static func all() -> [HostileFile] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: hostileFolder)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted().map { name in
            let bytes = FileManager.default.contents(atPath: "\(hostileFolder)/\(name)") ?? Data()
            let firstLine = String(decoding: bytes.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
            let expectation = firstLine.hasPrefix("# expect: ") ? String(firstLine.dropFirst("# expect: ".count)) : "?"
            return HostileFile(name: name, expectedError: expectation == "ok" ? nil : expectation)
        }
    }
}

/// Serialized: these measure wall time against a bound, which tests sharing two cores would blur.
@Suite(.serialized) struct HostileScenarioTests {
    @Test func theCorpusIsThere() {
        let files = HostileFile.all()
        #expect(files.count >= 40, "found \(files.count) files in \(hostileFolder)")
        #expect(files.allSatisfy { $0.expectedError != "?" }, "a file lacks its '# expect:' line")
    }

    @Test(arguments: HostileFile.all())
    func hostileFileIsRefusedWithItsPlaceOrLoads(_ file: HostileFile) {
        let path = "\(hostileFolder)/\(file.name)"
        let clock = ContinuousClock()
        let start = clock.now
        var errors: [ScenarioError] = []
        var other: (any Error)?
        do {
            _ = try ScenarioLoader.load(file: path)
        } catch let thrown as ScenarioErrors {
            errors = thrown.errors
        } catch {
            other = error
        }
        let elapsed = clock.now - start
        #expect(elapsed < .seconds(2), "\(file.name) took \(elapsed)")
        #expect(other == nil, "\(file.name) threw \(String(describing: other))")
        guard let expected = file.expectedError else {
            #expect(errors.isEmpty, "\(file.name) should load: \(errors)")
            return
        }
        guard let first = errors.first else {
            Issue.record("\(file.name) loaded; expected an error containing '\(expected)'")
            return
        }
        #expect(first.message.contains(expected), "\(first)")
        #expect(first.file == path)
        // "The scenario is empty" has nowhere better to point than line 1; every other problem is on a line.
        #expect(first.line > 0, "\(first)")
    }

    @Test func anUnknownColumnErrorNamesTheColumnAndFileButNotTheHeader() throws {
        let error = try #require(loadErrors("csv-unknown-column.yaml").first)
        #expect(error.message.contains("secret-header.csv"))
        #expect(!error.message.contains("hunter2secret"), "\(error)")
        #expect(!error.message.contains("pin"), "\(error)")
    }

    @Test func invalidUTF8IsPlacedAtItsByte() throws {
        let error = try #require(loadErrors("invalid-utf8.yaml").first)
        // Line 2 is `name: caf\xC3(`: the bad sequence starts at column 10, byte offset 41 of the file.
        #expect((error.line, error.column) == (2, 10), "\(error)")
        #expect(error.message.contains("byte offset 41"), "\(error)")
    }

    @Test func aNulByteIsPlacedAtItsByte() throws {
        let error = try #require(loadErrors("nul-byte.yaml").first)
        #expect((error.line, error.column) == (2, 8), "\(error)")
    }

    @Test func anAliasBombNamesTheAliasPlaceAndField() throws {
        let error = try #require(loadErrors("alias-bomb-json.yaml").first)
        #expect(error.field.hasPrefix("tasks[0].json."), "\(error)")
        #expect(error.line >= 6 && error.column > 0, "\(error)")
    }

    @Test func aMegabyteJSONListLoadsInLinearTime() throws {
        // ~1 MB of scenario, ~900 KB of body: quadratic building took 3.8 s for 720 KB in a release build, so
        // far longer in this debug one; linear takes about 1 s here with the YAML parsing.
        let items = (0..<150_000).map(String.init).joined(separator: ",")
        let yaml = "tasks:\n  - request: POST /bulk\n    json: [\(items)]\n"
        #expect(yaml.utf8.count > 900_000)
        let clock = ContinuousClock()
        let start = clock.now
        let plan = try loadScenario(yaml)
        let elapsed = clock.now - start
        #expect(elapsed < .seconds(5), "took \(elapsed)")
        #expect(plan.requests[0].body?.parts.count == 1)
    }

    @Test func aHundredThousandRowFileLoadsWithinABound() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("loadd-csv-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var csv = "email,password\n"
        for row in 0..<100_000 { csv += "user\(row)@example.com,secret\(row)\n" }
        try csv.write(toFile: "\(folder)/users.csv", atomically: true, encoding: .utf8)
        let clock = ContinuousClock()
        let start = clock.now
        let plan = try ScenarioLoader.load(
            yaml: "data: { csv: users.csv }\ntasks: [{ request: 'GET /{{data.email}}' }]\n",
            file: "big.yaml", baseDirectory: folder)
        #expect(clock.now - start < .seconds(2))
        #expect(plan.data?.rows.count == 100_000)
        #expect(plan.data?.rows.last == ["user99999@example.com", "secret99999"])
    }

    private func loadErrors(_ name: String) -> [ScenarioError] {
        do {
            _ = try ScenarioLoader.load(file: "\(hostileFolder)/\(name)")
            return []
        } catch let errors as ScenarioErrors {
            return errors.errors
        } catch {
            return []
        }
    }
}

@Suite struct ScenarioFileTests {
    private func errors(_ load: () throws -> Plan) -> [ScenarioError] {
        do {
            _ = try load()
            return []
        } catch let errors as ScenarioErrors {
            return errors.errors
        } catch {
            return []
        }
    }

    @Test func aScenarioOverTheSizeCapIsRefusedBeforeParsing() {
        let yaml = "name: x\n" + String(repeating: "#", count: ScenarioLimits.maxScenarioBytes)
        let found = errors { try loadScenario(yaml) }
        #expect(found.map(\.message) == ["the scenario is \(yaml.utf8.count) bytes; at most 4194304 (4 MiB)"])
    }

    @Test func aDirectoryOrAFIFOIsNotReadAsAScenario() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("loadd-scn-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(
            errors { try ScenarioLoader.load(file: folder) }.map(\.message) == [
                "cannot read the scenario: it is a directory, not a file"
            ])
        let fifo = "\(folder)/pipe.yaml"
        try #require(mkfifo(fifo, 0o600) == 0)
        // Opening a FIFO for reading would block until a writer came: it must be refused without opening it.
        #expect(
            errors { try ScenarioLoader.load(file: fifo) }.map(\.message) == [
                "cannot read the scenario: it is a FIFO (named pipe), not a regular file"
            ])
    }

    @Test func aMissingFileIsOneErrorWithoutALine() {
        let found = errors { try ScenarioLoader.load(file: "/nonexistent/scenario.yaml") }
        #expect(found.count == 1 && found[0].line == 0 && found[0].message.hasPrefix("cannot read the scenario"))
    }
}
