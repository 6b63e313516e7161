/// Users waiting out a think time, earliest first. A binary heap over a reused array: scheduling
/// allocates nothing once the array has grown to the thread's user count. Entries are not removed
/// when a user is retired; `generation` lets the thread skip such stale entries when they surface.
struct TimerHeap {
    struct Entry {
        var wake: UInt64
        var slot: Int32
        var generation: UInt32
    }

    private var entries: [Entry] = []

    var isEmpty: Bool { entries.isEmpty }
    var earliest: UInt64? { entries.first?.wake }

    mutating func reserve(_ capacity: Int) { entries.reserveCapacity(capacity) }

    mutating func push(_ entry: Entry) {
        entries.append(entry)
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[child].wake < entries[parent].wake else { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the earliest entry if it is due at `now`.
    mutating func popDue(_ now: UInt64) -> Entry? {
        guard let first = entries.first, first.wake <= now else { return nil }
        let last = entries.removeLast()
        if !entries.isEmpty {
            entries[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var smallest = parent
                if left < entries.count && entries[left].wake < entries[smallest].wake { smallest = left }
                if right < entries.count && entries[right].wake < entries[smallest].wake { smallest = right }
                if smallest == parent { break }
                entries.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return first
    }

    mutating func removeAll() { entries.removeAll(keepingCapacity: true) }
}
