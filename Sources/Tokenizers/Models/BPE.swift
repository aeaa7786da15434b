// Byte-pair encoding (tokenizers/src/models/bpe/model.rs and word.rs), without dropout:
//   1. each scalar of the word is a symbol, looked up with continuing_subword_prefix when it is not
//      the first and end_of_word_suffix when it is the last; a scalar not in the vocabulary becomes
//      byte_fallback tokens "<0xAB>" (if on and every byte has one), else the unknown token (runs
//      of them fused if fuse_unk), else it is dropped (no unk_token);
//   2. ignore_merges: a word that is itself in the vocabulary is one token, before step 1;
//   3. merges: repeatedly apply the adjacent pair with the lowest merge rank, leftmost first
//      (a min-heap on (rank, position) with stale entries skipped, exactly as word.rs).
// Results are cached per word (a word's tokens depend on nothing else).



/// tokenizer.json `{"type": "BPE", …}`.
public struct BPE: TokenizationModel {
    let vocabulary: Vocabulary
    /// (left id << 32 | right id) → index into `mergeRanks` / `mergeResults`.
    private let mergeIndex: UInt64Table
    private let mergeRanks: [UInt32]
    private let mergeResults: [Int32]
    public let unknownTokenString: String?
    private let unknownId: Int32?
    public let continuingSubwordPrefix: String?
    public let endOfWordSuffix: String?
    public let fuseUnknown: Bool
    public let byteFallback: Bool
    public let ignoreMerges: Bool
    /// The trie node of the prefix, if there is a non-empty prefix.
    private let prefixNode: Int32?
    private let suffix: [Unicode.Scalar]
    private let byteTokenIds: [Int32?]
    private let cache = WordCache()

    /// Errors building the model, reported by the loader with the file name.
    enum BuildError: Error {
        case mergeTokenMissing(String)
        case unknownTokenMissing(String)
    }

    /// `vocabulary` in file order; `merges` in rank order. Throws if a merge's parts or result, or
    /// the unknown token, are not in the vocabulary (as HF refuses such a file).
    init(vocabulary entries: [(String, Int32)], merges: [(String, String)], unknownToken: String?,
         continuingSubwordPrefix: String?, endOfWordSuffix: String?, fuseUnknown: Bool, byteFallback: Bool,
         ignoreMerges: Bool) throws {
        let vocabulary = Vocabulary(entries: entries)
        self.vocabulary = vocabulary
        var index = UInt64Table()
        var ranks: [UInt32] = [], results: [Int32] = []
        let prefixCount = continuingSubwordPrefix?.unicodeScalars.count ?? 0
        for (rank, (a, b)) in merges.enumerated() {
            guard let aId = vocabulary.id(of: a) else { throw BuildError.mergeTokenMissing(a) }
            guard let bId = vocabulary.id(of: b) else { throw BuildError.mergeTokenMissing(b) }
            // HF drops the prefix's length from the start of b (in bytes; the same here in scalars
            // whenever b starts with the prefix, which merges built with a prefix do).
            var merged = String.UnicodeScalarView()
            merged.append(contentsOf: a.unicodeScalars)
            merged.append(contentsOf: b.unicodeScalars.dropFirst(prefixCount))
            let mergedString = String(merged)
            guard let newId = vocabulary.id(of: mergedString) else { throw BuildError.mergeTokenMissing(mergedString) }
            let key = UInt64(UInt32(bitPattern: aId)) << 32 | UInt64(UInt32(bitPattern: bId))
            if let existing = index.find(key) {
                // A repeated pair: HF's map keeps the later rank.
                ranks[Int(existing)] = UInt32(rank)
                results[Int(existing)] = newId
            } else {
                index.insert(key, Int32(ranks.count))
                ranks.append(UInt32(rank))
                results.append(newId)
            }
        }
        mergeIndex = index
        mergeRanks = ranks
        mergeResults = results
        if let unknownToken {
            guard let id = vocabulary.id(of: unknownToken) else { throw BuildError.unknownTokenMissing(unknownToken) }
            unknownId = id
        } else {
            unknownId = nil
        }
        unknownTokenString = unknownToken
        self.continuingSubwordPrefix = continuingSubwordPrefix
        self.endOfWordSuffix = endOfWordSuffix
        self.fuseUnknown = fuseUnknown
        self.byteFallback = byteFallback
        self.ignoreMerges = ignoreMerges
        if let p = continuingSubwordPrefix, !p.isEmpty {
            prefixNode = vocabulary.trie.walk(p.unicodeScalars) ?? -1
        } else {
            prefixNode = nil
        }
        suffix = Array((endOfWordSuffix ?? "").unicodeScalars)
        byteTokenIds = (0..<256).map { vocabulary.id(of: String(format: "<0x%02X>", $0)) }
    }

    public var vocabularySize: Int { vocabulary.count }
    public var idLimit: Int { vocabulary.idLimit }
    public var unknownToken: String? { unknownTokenString }
    public var summary: String { "BPE" }
    public func id(of token: String) -> Int32? { vocabulary.id(of: token) }
    public func token(of id: Int32) -> String? { vocabulary.token(of: id) }

    // MARK: - Tokenizing

    public func tokenize(_ word: ArraySlice<Unicode.Scalar>, into ids: inout [Int32]) {
        if word.isEmpty { return }
        if ignoreMerges, let id = vocabulary.trie.lookup(word) {
            ids.append(id)
            return
        }
        let key = Array(word)
        if let hit = cache.get(key) {
            ids.append(contentsOf: hit)
            return
        }
        let start = ids.count
        merge(word, into: &ids)
        cache.set(key, Array(ids[start...]))
    }

    /// The id of the symbol for `s` at the given place in the word (prefix / suffix applied).
    @inline(__always)
    private func symbolId(_ s: Unicode.Scalar, isFirst: Bool, isLast: Bool) -> Int32? {
        let trie = vocabulary.trie
        var node: Int32 = ScalarTrie.root
        if !isFirst, let prefixNode {
            guard prefixNode >= 0 else { return nil }
            node = prefixNode
        }
        guard var n = trie.child(node, s) else { return nil }
        if isLast && !suffix.isEmpty {
            guard let m = trie.walk(suffix, from: n) else { return nil }
            n = m
        }
        return trie.value(at: n)
    }

    private struct Symbol {
        var id: Int32
        var prev: Int32
        var next: Int32
        /// 0 once merged into its left neighbour.
        var length: Int32
    }

    private func merge(_ word: ArraySlice<Unicode.Scalar>, into ids: inout [Int32]) {
        var symbols: [Symbol] = []
        symbols.reserveCapacity(word.count)
        func add(_ id: Int32) {
            let n = Int32(symbols.count)
            if n > 0 { symbols[Int(n) - 1].next = n }
            symbols.append(Symbol(id: id, prev: n - 1, next: -1, length: 1))
        }
        var pendingUnknown = false
        for i in word.indices {
            let s = word[i]
            if let id = symbolId(s, isFirst: i == word.startIndex, isLast: i == word.endIndex - 1) {
                if pendingUnknown, let unknownId { add(unknownId) }
                pendingUnknown = false
                add(id)
                continue
            }
            if byteFallback {
                var fallback: [Int32] = []
                var complete = true
                for byte in bytesOfSymbol(s, isFirst: i == word.startIndex, isLast: i == word.endIndex - 1) {
                    guard let id = byteTokenIds[Int(byte)] else { complete = false; break }
                    fallback.append(id)
                }
                if complete {
                    // HF adds byte tokens without flushing a pending unknown token first.
                    for id in fallback { add(id) }
                    continue
                }
            }
            guard let unknownId else { continue }
            if pendingUnknown && !fuseUnknown { add(unknownId) }
            pendingUnknown = true
        }
        if pendingUnknown, let unknownId { add(unknownId) }
        applyMerges(&symbols)
        for s in symbols where s.length != 0 { ids.append(s.id) }
    }

    /// The UTF-8 bytes of the symbol string HF looks up (with prefix / suffix).
    private func bytesOfSymbol(_ s: Unicode.Scalar, isFirst: Bool, isLast: Bool) -> [UInt8] {
        var text = ""
        if !isFirst, let p = continuingSubwordPrefix { text += p }
        text.unicodeScalars.append(s)
        if isLast, let e = endOfWordSuffix { text += e }
        return Array(text.utf8)
    }

    @inline(__always)
    private func lookupMerge(_ a: Int32, _ b: Int32) -> Int32? {
        mergeIndex.find(UInt64(UInt32(bitPattern: a)) << 32 | UInt64(UInt32(bitPattern: b)))
    }

    private func applyMerges(_ symbols: inout [Symbol]) {
        guard symbols.count > 1 else { return }
        var heap = MergeHeap()
        for i in 0..<(symbols.count - 1) {
            if let m = lookupMerge(symbols[i].id, symbols[i + 1].id) {
                heap.push(MergeHeap.Entry(rank: mergeRanks[Int(m)], position: Int32(i), newId: mergeResults[Int(m)]))
            }
        }
        while let top = heap.pop() {
            let pos = Int(top.position)
            if symbols[pos].length == 0 { continue }
            let nextPos = Int(symbols[pos].next)
            if nextPos < 0 { continue }
            let right = symbols[nextPos]
            // A stale entry: the pair at this position changed since it was queued.
            guard let current = lookupMerge(symbols[pos].id, right.id), mergeResults[Int(current)] == top.newId else {
                continue
            }
            symbols[pos].id = top.newId
            symbols[pos].length += right.length
            symbols[pos].next = right.next
            symbols[nextPos].length = 0
            if right.next >= 0 && Int(right.next) < symbols.count {
                symbols[Int(right.next)].prev = Int32(pos)
            }
            let merged = symbols[pos]
            if merged.prev >= 0, let m = lookupMerge(symbols[Int(merged.prev)].id, merged.id) {
                heap.push(MergeHeap.Entry(rank: mergeRanks[Int(m)], position: merged.prev, newId: mergeResults[Int(m)]))
            }
            if merged.next >= 0 && Int(merged.next) < symbols.count, let m = lookupMerge(merged.id, symbols[Int(merged.next)].id) {
                heap.push(MergeHeap.Entry(rank: mergeRanks[Int(m)], position: Int32(pos), newId: mergeResults[Int(m)]))
            }
        }
    }
}
