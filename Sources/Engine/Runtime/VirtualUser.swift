import CCurl
import Glibc

/// One simulated user: its reusable libcurl easy handle, where it is in its script, and the
/// buffers its templated requests render into. Owned by exactly one engine thread (not Sendable).
final class VirtualUser {
    enum State: Equatable {
        case idle
        case inFlight
        case waiting
        case retired
    }

    enum Phase: Equatable {
        case onStart(step: Int)
        case task(index: Int, step: Int)
    }

    let easy: UnsafeMutableRawPointer
    /// Index in the thread's user table; also picks the multi handle it runs on.
    let slot: Int
    let multi: Int
    var state: State = .idle
    var phase: Phase = .onStart(step: 0)
    /// Set when the ramp retired the user while its request was in flight: it stops on completion.
    var retiring = false
    /// Bumped on every wait so a stale timer entry of a retired-and-respawned user is ignored.
    var generation: UInt32 = 0
    var values = UserValues()
    /// Cookie engine, redirect and credential state of the handle (VirtualUser+Session.swift).
    let session = UserSession()

    // The exchange in flight.
    var request = 0
    var intendedStart: UInt64 = 0
    var sentAt: UInt64 = 0
    var bytesIn = 0
    var captureBody = false
    /// Set when a step of on_start failed to extract: the user runs on_start again (logs in again)
    /// instead of starting a task without its values.
    var retryOnStart = false

    // What the easy handle is currently set to, so unchanged options are not set again.
    var lastURL: UnsafeMutablePointer<CChar>?
    var lastRequest = -1
    var lastTimeout = -1

    let urlBuffer = RenderBuffer(capacity: 128)
    let bodyBuffer = RenderBuffer(capacity: 128)
    let responseBody = RenderBuffer(capacity: 256)
    /// Templated header lines: one buffer and one list node per line, made on the first templated
    /// request and reused, so such requests allocate nothing either (libcurl reads the list in place
    /// and never frees it: these nodes are ours, never passed to `curl_slist_free_all`).
    private(set) var headerBuffers: [RenderBuffer] = []
    private(set) var headerNodes: UnsafeMutablePointer<curl_slist>?
    private var headerNodeCount = 0
    /// libcurl's text for the last failed transfer (CURLOPT_ERRORBUFFER; it empties it per transfer).
    let errorText: UnsafeMutablePointer<CChar>

    static let receiveBufferSize = 4096

    /// Bodies kept for `body_contains`, JSON checks and extractions are cut at this size.
    static let capturedBodyLimit = 1 << 20

    init(slot: Int, multi: Int, proxy: ProxySettings) {
        guard let easy = curl_easy_init() else { fatalError("curl_easy_init failed: out of memory") }
        self.easy = easy
        self.slot = slot
        self.multi = multi
        errorText = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorText.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        let me = Unmanaged.passUnretained(self).toOpaque()
        ccurl_easy_setopt_ptr(easy, CURLOPT_ERRORBUFFER, errorText)
        ccurl_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
        ccurl_easy_setopt_write_cb(easy, VirtualUser.onBody)
        ccurl_easy_setopt_ptr(easy, CURLOPT_WRITEDATA, me)
        ccurl_easy_setopt_ptr(easy, CURLOPT_PRIVATE, me)
        ccurl_easy_setopt_long(easy, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_1_1))
        ccurl_easy_setopt_str(easy, CURLOPT_USERAGENT, "loadd/0.1")
        // Each easy handle owns a receive buffer (16 KiB by default): a quarter of it still takes a
        // typical API response in one read and keeps an idle user near 8 KiB of RSS.
        ccurl_easy_setopt_long(easy, CURLOPT_BUFFERSIZE, VirtualUser.receiveBufferSize)
        // libcurl reads the proxy variables from the environment on every request unless told the
        // proxy outright; read them once here (an empty string means no proxy).
        ccurl_easy_setopt_str(easy, CURLOPT_PROXY, proxy.proxy)
        if let noProxy = proxy.noProxy { ccurl_easy_setopt_str(easy, CURLOPT_NOPROXY, noProxy) }
    }

    deinit {
        curl_easy_cleanup(easy)
        errorText.deallocate()
        headerNodes?.deallocate()
    }

    /// The list of `count` templated header lines, rendered by `render(line, buffer)` into this
    /// user's buffers; grows (allocates) only the first time a request has more lines than before.
    func headerList(count: Int, render: (Int, RenderBuffer) -> Void) -> UnsafeMutablePointer<curl_slist>? {
        guard count > 0 else { return nil }
        if count > headerNodeCount {
            headerNodes?.deallocate()
            headerNodes = .allocate(capacity: count)
            headerNodeCount = count
            while headerBuffers.count < count { headerBuffers.append(RenderBuffer(capacity: 128)) }
        }
        let nodes = headerNodes!
        for i in 0..<count {
            let buffer = headerBuffers[i]
            buffer.removeAll()
            render(i, buffer)
            nodes[i] = curl_slist(data: buffer.mutableCString, next: i + 1 < count ? nodes + i + 1 : nil)
        }
        return nodes
    }

    /// Captures nothing, so it converts to a C function pointer; the user arrives as userdata.
    static let onBody: curl_write_callback = { data, size, count, userdata in
        let user = Unmanaged<VirtualUser>.fromOpaque(userdata!).takeUnretainedValue()
        let length = size * count
        user.bytesIn += length
        if user.captureBody, let data {
            user.responseBody.append(raw: data, length: length, limit: VirtualUser.capturedBodyLimit)
        }
        return length   // returning less makes libcurl abort the transfer
    }

    static func from(easy: UnsafeMutableRawPointer) -> VirtualUser {
        var raw: UnsafeMutableRawPointer?
        ccurl_easy_getinfo_ptr(easy, CURLINFO_PRIVATE, &raw)
        return Unmanaged<VirtualUser>.fromOpaque(raw!).takeUnretainedValue()
    }
}
