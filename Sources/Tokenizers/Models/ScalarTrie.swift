// A trie over Unicode scalars mapping strings to ids. Lookups compare scalar by scalar (unlike
// Swift String equality, which is canonical equivalence), and walking it finds the longest
// vocabulary entry at a position without building a String per candidate.

/// A scalar trie: node 0 is the root; each node may carry a value.
struct ScalarTrie: Sendable {
    /// (node << 32 | scalar) → child node.
    private var edges = UInt64Table()
    /// Per node: the value stored there, or -1.
    private var values: [Int32] = [-1]

    static let root: Int32 = 0

    /// Stores `value` for `key`; a later insert of the same key replaces the value.
    mutating func insert<S: Sequence>(_ key: S, value: Int32) where S.Element == Unicode.Scalar {
        var node = ScalarTrie.root
        for s in key {
            let edge = UInt64(UInt32(node)) << 32 | UInt64(s.value)
            if let next = edges.find(edge) {
                node = next
            } else {
                let next = Int32(values.count)
                values.append(-1)
                edges.insert(edge, next)
                node = next
            }
        }
        values[Int(node)] = value
    }

    /// The child of `node` along `scalar`, if any.
    @inline(__always)
    func child(_ node: Int32, _ scalar: Unicode.Scalar) -> Int32? {
        edges.find(UInt64(UInt32(node)) << 32 | UInt64(scalar.value))
    }

    /// The value at `node`, if one is stored there.
    @inline(__always)
    func value(at node: Int32) -> Int32? {
        let v = values[Int(node)]
        return v >= 0 ? v : nil
    }

    /// The node reached by walking `key` from `node`, if the whole key is a path.
    func walk<S: Sequence>(_ key: S, from node: Int32 = ScalarTrie.root) -> Int32? where S.Element == Unicode.Scalar {
        var n = node
        for s in key {
            guard let next = child(n, s) else { return nil }
            n = next
        }
        return n
    }

    /// The value stored for exactly `key`.
    func lookup<S: Sequence>(_ key: S) -> Int32? where S.Element == Unicode.Scalar {
        walk(key).flatMap { value(at: $0) }
    }

    /// The end index and value of the longest key that is a prefix of `text[start...]`, walking
    /// from `node` (a key is found only if it ends at a node with a value).
    @inline(__always)
    func longestMatch(in text: ArraySlice<Unicode.Scalar>, from start: Int, node: Int32 = ScalarTrie.root)
        -> (end: Int, value: Int32)? {
        var n = node
        var best: (end: Int, value: Int32)?
        var i = start
        while i < text.endIndex, let next = child(n, text[i]) {
            n = next
            i += 1
            if let v = value(at: n) { best = (i, v) }
        }
        return best
    }
}

/// An open-addressing hash map UInt64 → Int32 (linear probing, Fibonacci hashing): several times
/// faster than Dictionary's seeded SipHash on the WordPiece hot path.
struct UInt64Table: Sendable {
    private static let empty = UInt64.max
    private var keys = [UInt64](repeating: UInt64Table.empty, count: 16)
    private var values = [Int32](repeating: 0, count: 16)
    private var shift: UInt64 = 60  // 64 − log2(capacity)
    private var count = 0

    @inline(__always)
    private func slot(_ key: UInt64) -> Int { Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift) }

    @inline(__always)
    func find(_ key: UInt64) -> Int32? {
        let mask = keys.count - 1
        var i = slot(key)
        while true {
            let k = keys[i]
            if k == key { return values[i] }
            if k == UInt64Table.empty { return nil }
            i = (i + 1) & mask
        }
    }

    /// Precondition: `key` is not present and is not `UInt64.max`.
    mutating func insert(_ key: UInt64, _ value: Int32) {
        if (count + 1) * 4 > keys.count * 3 { grow() }
        let mask = keys.count - 1
        var i = slot(key)
        while keys[i] != UInt64Table.empty { i = (i + 1) & mask }
        keys[i] = key
        values[i] = value
        count += 1
    }

    private mutating func grow() {
        let oldKeys = keys, oldValues = values
        keys = [UInt64](repeating: UInt64Table.empty, count: oldKeys.count * 2)
        values = [Int32](repeating: 0, count: oldKeys.count * 2)
        shift -= 1
        count = 0
        for (k, v) in zip(oldKeys, oldValues) where k != UInt64Table.empty { insert(k, v) }
    }
}
