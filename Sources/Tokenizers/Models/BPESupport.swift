// BPE's helpers: the merge queue (word.rs uses a quaternary heap; any min-heap on (rank, position)
// gives the same merges, since entries equal in both are identical — a rank names one pair and its
// result) and the word cache.

import Foundation

/// A binary min-heap of merge candidates ordered by (rank, position).
struct MergeHeap {
    struct Entry {
        var rank: UInt32
        var position: Int32
        var newId: Int32

        @inline(__always)
        static func < (a: Entry, b: Entry) -> Bool {
            a.rank != b.rank ? a.rank < b.rank : a.position < b.position
        }
    }

    private var items: [Entry] = []

    mutating func push(_ e: Entry) {
        items.append(e)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            if items[i] < items[parent] {
                items.swapAt(i, parent)
                i = parent
            } else {
                break
            }
        }
    }

    mutating func pop() -> Entry? {
        guard let first = items.first else { return nil }
        let last = items.removeLast()
        if items.isEmpty { return first }
        items[0] = last
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < items.count && items[l] < items[m] { m = l }
            if r < items.count && items[r] < items[m] { m = r }
            if m == i { break }
            items.swapAt(i, m)
            i = m
        }
        return first
    }
}

/// A bounded, thread-safe word → ids cache (HF keeps up to 10,000 words of under 256 bytes).
final class WordCache: @unchecked Sendable {
    private var entries: [[Unicode.Scalar]: [Int32]] = [:]
    private let lock = NSLock()
    static let capacity = 10_000
    static let maxWordLength = 256

    func get(_ word: [Unicode.Scalar]) -> [Int32]? {
        if word.count >= WordCache.maxWordLength { return nil }
        lock.lock()
        defer { lock.unlock() }
        return entries[word]
    }

    func set(_ word: [Unicode.Scalar], _ ids: [Int32]) {
        if word.count >= WordCache.maxWordLength { return }
        lock.lock()
        defer { lock.unlock() }
        if entries.count < WordCache.capacity { entries[word] = ids }
    }
}
