// A token vocabulary: string → id through a scalar trie, id → string through an array.

/// Token strings and their ids.
struct Vocabulary: Sendable {
    let trie: ScalarTrie
    /// id → token; nil where no token has that id.
    let tokens: [String?]
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
        var tokens = [String?](repeating: nil, count: Int(maxId) + 1)
        var distinct = 0
        for (token, id) in entries {
            if trie.lookup(token.unicodeScalars) == nil { distinct += 1 }
            trie.insert(token.unicodeScalars, value: id)
            tokens[Int(id)] = token
        }
        self.trie = trie
        self.tokens = tokens
        self.count = distinct
    }

    func id(of token: String) -> Int32? { trie.lookup(token.unicodeScalars) }

    func token(of id: Int32) -> String? {
        guard id >= 0, Int(id) < tokens.count else { return nil }
        return tokens[Int(id)]
    }
}
