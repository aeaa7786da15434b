// Partial selection of the k best (score, index) pairs from a stream, in O(n log k): a binary
// heap of size k whose root is the worst kept pair. Order: higher score first; equal scores by
// lower index first, so results are deterministic when scores tie.

/// One search result: the row of the index and its cosine similarity to the query.
public struct SearchHit: Equatable, Sendable {
    public var index: Int
    public var score: Double
    public init(index: Int, score: Double) { self.index = index; self.score = score }

    /// True if `self` ranks before `other`: higher score, or the same score and a lower row.
    @inline(__always)
    public func ranksBefore(_ other: SearchHit) -> Bool {
        score != other.score ? score > other.score : index < other.index
    }
}

public struct TopK {
    public struct Entry: Equatable {
        public var index: Int
        public var score: Float
        @inline(__always)
        func ranksBefore(_ other: Entry) -> Bool { score != other.score ? score > other.score : index < other.index }
    }

    public let k: Int
    private var heap: [Entry] = []  // heap[0] is the worst kept entry

    public init(_ k: Int) {
        precondition(k >= 0, "k must be non-negative")
        self.k = k
        heap.reserveCapacity(k)
    }

    /// The k-th best score so far, once k entries have been seen (nil before, and for k = 0).
    public var threshold: Float? { heap.count == k && k > 0 ? heap[0].score : nil }

    /// Considers one candidate.
    @inline(__always)
    public mutating func offer(_ index: Int, _ score: Float) {
        let entry = Entry(index: index, score: score)
        if heap.count < k {
            heap.append(entry)
            siftUp(heap.count - 1)
        } else if k > 0 && entry.ranksBefore(heap[0]) {
            heap[0] = entry
            siftDown(0)
        }
    }

    /// The kept entries, best first.
    public func sorted() -> [Entry] { heap.sorted { $0.ranksBefore($1) } }

    // In this heap a parent ranks after (is worse than) its children.
    private mutating func siftUp(_ i: Int) {
        var c = i
        while c > 0 {
            let p = (c - 1) / 2
            guard heap[p].ranksBefore(heap[c]) else { return }
            heap.swapAt(p, c)
            c = p
        }
    }

    private mutating func siftDown(_ i: Int) {
        var p = i
        while true {
            let l = 2 * p + 1, r = l + 1
            var worst = p
            if l < heap.count && heap[worst].ranksBefore(heap[l]) { worst = l }
            if r < heap.count && heap[worst].ranksBefore(heap[r]) { worst = r }
            if worst == p { return }
            heap.swapAt(p, worst)
            p = worst
        }
    }
}
