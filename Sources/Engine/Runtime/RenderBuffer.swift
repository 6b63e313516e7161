import Glibc

/// A growable byte buffer with a stable address between renders, for what libcurl reads by
/// pointer (URL, body) and for captured response bodies. Grows rarely, then is reused as is.
final class RenderBuffer {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 256) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    deinit { base.deallocate() }

    @inline(__always) func removeAll() { count = 0 }

    @inline(__always) func append(_ byte: UInt8) {
        if count == capacity { grow(to: count + 1) }
        base[count] = byte
        count += 1
    }

    @inline(__always) func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard bytes.count > 0 else { return }
        if count + bytes.count > capacity { grow(to: count + bytes.count) }
        (base + count).update(from: bytes.baseAddress!, count: bytes.count)
        count += bytes.count
    }

    @inline(__always) func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { append($0) }
    }

    /// Appends as much of `length` bytes as fits under `limit` total bytes; the rest is dropped.
    func append(raw: UnsafeRawPointer, length: Int, limit: Int) {
        let room = max(0, limit - count)
        let n = min(room, length)
        guard n > 0 else { return }
        append(UnsafeBufferPointer(start: raw.assumingMemoryBound(to: UInt8.self), count: n))
    }

    /// A NUL-terminated view for C APIs that copy the string (CURLOPT_URL).
    var cString: UnsafePointer<CChar> { UnsafePointer(mutableCString) }

    /// The same view for a C struct field typed `char *` (a `curl_slist` node libcurl reads in place
    /// until the buffer is rendered again).
    var mutableCString: UnsafeMutablePointer<CChar> {
        if count == capacity { grow(to: count + 1) }
        base[count] = 0
        return UnsafeMutableRawPointer(base).assumingMemoryBound(to: CChar.self)
    }

    func contains(_ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty else { return true }
        guard count >= needle.count else { return false }
        let first = needle[0]
        var i = 0
        while i + needle.count <= count {
            if base[i] == first {
                var j = 1
                while j < needle.count && base[i + j] == needle[j] { j += 1 }
                if j == needle.count { return true }
            }
            i += 1
        }
        return false
    }

    private func grow(to needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        bigger.update(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity = newCapacity
    }
}
