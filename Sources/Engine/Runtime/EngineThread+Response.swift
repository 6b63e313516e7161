import CCurl
import Glibc
import Protocol

/// What a step asks of its response past the status: the checks table's counts, the checks beyond
/// status and body, and the values it extracts into the user's vars. Runs only for steps that have
/// such rules (`PreparedRequest.inspects`); the others never reach it.
extension EngineThread {
    /// Counts the step's checks, stores what it extracts, and returns the request's failure: the one
    /// given, else the first failed check, else the first extraction that found nothing.
    func inspect(
        _ user: VirtualUser, request: RequestPlan, answered: Bool, status: Int, bodyMatched: Bool,
        done: UInt64, failure: FailureReason?
    ) -> FailureReason? {
        let rules = request.rules
        var failure = failure
        // A request that got no answer fails every check (there was nothing to check).
        if let row = rules.statusRow {
            window.recordCheck(row: row, passed: answered && request.check.accepts(status: status))
        }
        if let row = rules.bodyRow { window.recordCheck(row: row, passed: answered && bodyMatched) }
        let bodyWhole = user.bytesIn <= user.responseBody.count
        let body = UnsafeBufferPointer(start: user.responseBody.base, count: user.responseBody.count)
        for check in rules.checks {
            let passed = answered && passes(check.kind, user: user, body: body, bodyWhole: bodyWhole, done: done)
            window.recordCheck(row: check.row, passed: passed)
            if !passed, failure == nil { failure = .check(row: check.row) }
        }
        guard failure == nil else { return failure }
        for rule in rules.extract {
            switch value(of: rule.source, user: user, body: body, bodyWhole: bodyWhole) {
            case .success(let bytes):
                user.values.extracted[rule.slot].removeAll(keepingCapacity: true)
                user.values.extracted[rule.slot].append(contentsOf: bytes)
            case .failure(let problem):
                return .extraction(id: rule.id, problem)
            }
        }
        return nil
    }

    private func passes(
        _ kind: ResponseCheck.Kind, user: VirtualUser, body: UnsafeBufferPointer<UInt8>,
        bodyWhole: Bool, done: UInt64
    ) -> Bool {
        switch kind {
        case .maxMillis(let millis):
            return done &- min(user.sentAt, done) <= UInt64(millis) * 1000
        case .headerContains(let name, let needle):
            guard let value = Self.header(name, of: user) else { return false }
            return needle.isEmpty || Self.contains(UnsafeBufferPointer(start: value.base, count: value.count), needle)
        case .jsonEquals(let path, let expected):
            guard bodyWhole, case .found(let value) = JSONFinder.find(path, in: body) else { return false }
            return value == expected
        }
    }

    private func value(
        of source: ResponseSource, user: VirtualUser, body: UnsafeBufferPointer<UInt8>,
        bodyWhole: Bool
    ) -> Result<[UInt8], ExtractionProblem> {
        let found: [UInt8]
        switch source {
        case .header(let name):
            guard let value = Self.header(name, of: user) else { return .failure(.noMatch) }
            found = Array(UnsafeBufferPointer(start: value.base, count: value.count))
        case .json(let path):
            guard bodyWhole else { return .failure(.bodyTooLarge) }
            switch JSONFinder.find(path, in: body) {
            case .found(let bytes): found = bytes
            case .missing: return .failure(.noMatch)
            case .invalid: return .failure(.notJSON)
            }
        case .regex(let regex):
            guard bodyWhole else { return .failure(.bodyTooLarge) }
            guard let bytes = regex.firstCapture(in: body) else { return .failure(.noMatch) }
            found = bytes
        }
        // A value from a hostile response must not split a header line, cut a C string or carry
        // bytes that are not text into the next request.
        if found.count > ScenarioLimits.maxExtractedBytes { return .failure(.tooLong) }
        if found.contains(where: { $0 == 0x0A || $0 == 0x0D || $0 == 0 })
            || String(validating: found, as: UTF8.self) == nil
        {
            return .failure(.unsafeValue)
        }
        return .success(found)
    }

    /// The first value of response header `name` (any case) of the transfer just finished, in
    /// libcurl's memory (valid until the handle's next transfer); `nil` when there is none.
    private static func header(_ name: String, of user: VirtualUser) -> (base: UnsafePointer<UInt8>, count: Int)? {
        var found: UnsafeMutablePointer<curl_header>?
        let code = name.withCString { curl_easy_header(user.easy, $0, 0, UInt32(CURLH_HEADER), -1, &found) }
        guard code == CURLHE_OK, let found, let value = found.pointee.value else { return nil }
        let bytes = UnsafeRawPointer(value).assumingMemoryBound(to: UInt8.self)
        return (bytes, strlen(value))
    }

    private static func contains(_ haystack: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count else { return false }
        var i = 0
        while i + needle.count <= haystack.count {
            if haystack[i] == needle[0], needle.indices.allSatisfy({ haystack[i + $0] == needle[$0] }) { return true }
            i += 1
        }
        return false
    }
}
