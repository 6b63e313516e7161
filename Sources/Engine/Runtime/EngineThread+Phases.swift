import CCurl

/// Where an answered request's time went, read from libcurl's own marks when it completes.
extension EngineThread {
    /// Records the phases of `user`'s finished transfer into the window. libcurl's `*_TIME_T` marks are
    /// cumulative µs from the transfer's start; each phase is the step between two of them, clamped at 0
    /// (a mark libcurl did not reach reads 0: no TLS over http). The five phases add up to the total.
    ///
    /// `opened` is false when the transfer reused a connection (`CURLINFO_NUM_CONNECTS` 0): then DNS,
    /// connect and TLS did not happen for this request and are 0, and libcurl's few µs of deciding to
    /// reuse count as waiting for the first byte. Five to eight `curl_easy_getinfo` reads; no allocation.
    ///
    /// Bytes sent: libcurl 7.88's `REQUEST_SIZE` counts what went out with the headers (a body that fits
    /// in that first write included, measured: a 1,000-byte POST read 1,133), `SIZE_UPLOAD_T` the body
    /// alone; adding them counted a small body twice, so the larger of the two is taken (a body too large
    /// for the first write then leaves its headers out, well under a KiB). Bytes received: the response
    /// headers (`HEADER_SIZE`) and the body the write callback saw.
    @inline(__always)
    func recordPhases(_ user: VirtualUser, endpoint: Int, opened: Bool) {
        let easy = user.easy
        var startTransfer: curl_off_t = 0
        var total: curl_off_t = 0
        var uploaded: curl_off_t = 0
        var requestSize = 0
        var headerSize = 0
        ccurl_easy_getinfo_off(easy, CURLINFO_STARTTRANSFER_TIME_T, &startTransfer)
        ccurl_easy_getinfo_off(easy, CURLINFO_TOTAL_TIME_T, &total)
        ccurl_easy_getinfo_off(easy, CURLINFO_SIZE_UPLOAD_T, &uploaded)
        ccurl_easy_getinfo_long(easy, CURLINFO_REQUEST_SIZE, &requestSize)
        ccurl_easy_getinfo_long(easy, CURLINFO_HEADER_SIZE, &headerSize)
        var nameLookup: UInt64 = 0
        var connected: UInt64 = 0
        var handshaken: UInt64 = 0
        if opened {
            var lookup: curl_off_t = 0
            var connect: curl_off_t = 0
            var appConnect: curl_off_t = 0
            ccurl_easy_getinfo_off(easy, CURLINFO_NAMELOOKUP_TIME_T, &lookup)
            ccurl_easy_getinfo_off(easy, CURLINFO_CONNECT_TIME_T, &connect)
            ccurl_easy_getinfo_off(easy, CURLINFO_APPCONNECT_TIME_T, &appConnect)
            nameLookup = UInt64(max(0, lookup))
            connected = max(nameLookup, UInt64(max(0, connect)))
            // 0 when no TLS layer was set up (http://): the handshake took no time.
            handshaken = max(connected, UInt64(max(0, appConnect)))
        }
        let firstByte = max(handshaken, UInt64(max(0, startTransfer)))
        let done = max(firstByte, UInt64(max(0, total)))
        window.phases.record(
            endpoint: endpoint, dns: nameLookup, connect: connected - nameLookup,
            tls: handshaken - connected, ttfb: firstByte - handshaken, transfer: done - firstByte,
            bytesSent: UInt64(max(0, max(Int64(requestSize), Int64(uploaded)))),
            bytesReceived: UInt64(max(0, headerSize)) &+ UInt64(max(0, user.bytesIn)))
    }
}
