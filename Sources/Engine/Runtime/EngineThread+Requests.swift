import CCurl
import Protocol

/// Issuing and completing requests: what an engine thread sets on a reused easy handle, and what it
/// records when libcurl is done with it. Split from EngineThread.swift by topic; same thread, same state.
extension EngineThread {
    func issue(_ requestIndex: Int, for user: VirtualUser, intended: UInt64) {
        let prepared = prepared[requestIndex]
        let request = prepared.plan
        let easy = user.easy
        if let url = prepared.constantURL {
            if user.lastURL != url {
                ccurl_easy_setopt_ptr(easy, CURLOPT_URL, url)
                user.lastURL = url
            }
        } else {
            let buffer = user.urlBuffer
            buffer.removeAll()
            if !request.targetIsAbsolute { buffer.append(prepared.hostBytes) }
            TemplateRenderer.render(request.target, into: buffer, user: user.values, random: &random)
            ccurl_easy_setopt_ptr(easy, CURLOPT_URL, buffer.cString)
            user.lastURL = nil
        }
        if user.lastRequest != requestIndex {
            configureMethodAndHeaders(prepared, for: user)
            user.lastRequest = requestIndex
        }
        if let body = request.body, !body.isConstant {
            user.bodyBuffer.removeAll()
            TemplateRenderer.render(body, into: user.bodyBuffer, user: user.values, random: &random)
            ccurl_easy_setopt_long(easy, CURLOPT_POSTFIELDSIZE, user.bodyBuffer.count)
            ccurl_easy_setopt_ptr(easy, CURLOPT_POSTFIELDS, user.bodyBuffer.base)
        }
        if prepared.constantHeaders == nil {
            let list = user.headerList(count: request.headers.count) { line, buffer in
                TemplateRenderer.render(request.headers[line], into: buffer, user: user.values, random: &random)
            }
            ccurl_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, list)
        }
        if request.session.basicAuth != nil || user.session.credentialsSet {
            user.applyCredentials(request, random: &random)
        }
        if user.lastTimeout != prepared.timeoutMillis {
            ccurl_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, prepared.timeoutMillis)
            user.lastTimeout = prepared.timeoutMillis
        }
        user.request = requestIndex
        user.intendedStart = intended
        user.bytesIn = 0
        user.captureBody = prepared.capturesBody
        if user.captureBody { user.responseBody.removeAll() }
        user.sentAt = MonotonicClock.micros()
        guard curl_multi_add_handle(multis[user.multi], easy) == CURLM_OK else {
            // Counted as a failure on the next pass, never left in flight for good.
            user.state = .idle
            refused.append(user)
            return
        }
        user.state = .inFlight
        inFlight += 1
    }

    private func configureMethodAndHeaders(_ prepared: PreparedRequest, for user: VirtualUser) {
        let easy = user.easy
        // Back to a plain GET first: method options in libcurl are sticky across reuses.
        ccurl_easy_setopt_long(easy, CURLOPT_HTTPGET, 1)
        ccurl_easy_setopt_ptr(easy, CURLOPT_CUSTOMREQUEST, nil)
        ccurl_easy_setopt_long(easy, CURLOPT_NOBODY, 0)
        switch prepared.method {
        case .get:
            break
        case .head:
            ccurl_easy_setopt_long(easy, CURLOPT_NOBODY, 1)
        case .withBody(let custom):
            ccurl_easy_setopt_long(easy, CURLOPT_POSTFIELDSIZE, prepared.constantBodyCount)
            if let body = prepared.constantBody { ccurl_easy_setopt_ptr(easy, CURLOPT_POSTFIELDS, body) }
            if let custom { ccurl_easy_setopt_ptr(easy, CURLOPT_CUSTOMREQUEST, custom) }
        }
        ccurl_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, prepared.constantHeaders)
        user.configureRedirects(prepared.plan)
    }

    func complete(_ user: VirtualUser, code: CURLcode, done: UInt64) {
        let easy = user.easy
        if user.state == .inFlight {
            curl_multi_remove_handle(multis[user.multi], easy)
            inFlight -= 1
        }
        var status = 0
        var osErrno = 0
        ccurl_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
        if code != CURLE_OK { ccurl_easy_getinfo_long(easy, CURLINFO_OS_ERRNO, &osErrno) }
        // Connections this transfer had to open (0 when it reused one): a restart shows as a burst.
        var connects = 0
        ccurl_easy_getinfo_long(easy, CURLINFO_NUM_CONNECTS, &connects)
        window.newConnections &+= UInt64(max(0, connects))
        let step = prepared[user.request]
        let request = step.plan
        let matched = request.check.bodyContains.map { user.responseBody.contains($0) } ?? true
        var failure =
            code == EngineThread.refusedCode
            ? .notStarted
            : FailureReason.classify(
                curlCode: code, osErrno: osErrno, status: status, check: request.check,
                bodyMatched: matched, detail: code == CURLE_OK ? nil : UnsafePointer(user.errorText))
        if step.inspects {
            failure = inspect(
                user, request: request, answered: code == CURLE_OK, status: status, bodyMatched: matched,
                done: done, failure: failure)
        }
        let reported = code == CURLE_OK ? failure : transport.refine(failure, code: code, detail: user.errorText)
        window.record(
            endpoint: request.endpoint, intended: user.intendedStart, sent: user.sentAt, done: done,
            bytes: user.bytesIn, failure: reported)
        if code == CURLE_OK { recordPhases(user, endpoint: request.endpoint, opened: connects > 0) }
        user.state = .idle
        if draining { return }   // the run is over: nothing more starts
        if case .closed = model, user.retiring || user.slot >= active {
            user.retiring = false
            user.state = .retired
            return
        }
        // A step whose values did not arrive ends its iteration: what follows would use none.
        if failure != nil, !request.rules.extract.isEmpty { return abandonIteration(user, now: done) }
        advance(user, now: done)
    }
}
