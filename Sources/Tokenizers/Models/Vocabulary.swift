// A token vocabulary: string → id through a scalar trie, id → string through an array.

/// Token strings and their ids.
struct Vocabulary: Sendable {
    let trie: ScalarTrie
    /// id → token for dense ids (nil where no token has that id); empty when `sparse` is used.
    private let dense: [String?]
    /// id → token when the ids are sparse (the largest id far above the entry count): a hostile
    /// file with one id of 2^31 − 1 must not make an array of 2^31 slots.
    private let sparse: [Int32: String]
    /// One more than the largest id (0 for an empty vocabulary).
    let idLimit: Int
    /// The number of distinct token strings.
    let count: Int

    /// `entries` in file order; for a repeated string the last entry wins (as serde_json and
    /// Python dicts do). Precondition: ids are non-negative.
    init(entries: [(String, Int32)]) {
        var trie = ScalarTrie()
        var maxId: Int32 = -1
        for (_, id) in entries {
            precondition(id >= 0, "Vocabulary: negative id")
            maxId = max(maxId, id)
        }
        idLimit = Int(maxId) + 1
        let isDense = idLimit <= 2 * entries.count + 1024
        var dense = [String?](repeating: nil, count: isDense ? idLimit : 0)
        var sparse: [Int32: String] = [:]
        var distinct = 0
        for (token, id) in entries {
            if trie.lookup(token.unicodeScalars) == nil { distinct += 1 }
            trie.insert(token.unicodeScalars, value: id)
            if isDense { dense[Int(id)] = token } else { sparse[id] = token }
        }
        self.trie = trie
        self.dense = dense
        self.sparse = sparse
        self.count = distinct
    }

    func id(of token: String) -> Int32? { trie.lookup(token.unicodeScalars) }

    func token(of id: Int32) -> String? {
        guard id >= 0, Int(id) < idLimit else { return nil }
        return dense.isEmpty ? sparse[id] : dense[Int(id)]
    }
}
