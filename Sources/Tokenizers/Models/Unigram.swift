// Unigram (tokenizers/src/models/unigram/model.rs, encode_optimized — SentencePiece's Viterbi):
//   - for each start position (in scalars; HF counts UTF-8 bytes, which orders the same), every
//     vocabulary piece that is a prefix of the rest of the word is an edge scored with the piece's
//     log-probability; if no piece is exactly one scalar long, an unknown edge of one scalar scores
//     min(score) − 10;
//   - the best path keeps, for each end position, the first candidate with the strictly highest
//     total score (candidates visited by start position, then by length);
//   - consecutive unknown pieces on the path are fused into one string;
//   - each resulting string is looked up in the vocabulary (so a fused string that happens to be a
//     piece gets that piece's id); otherwise byte_fallback gives "<0xAB>" pieces if all exist, else
//     unk_id.
// Token strings are the pieces' text (an unknown token keeps the text it covers), as HF reports.

/// tokenizer.json `{"type": "Unigram", "unk_id", "vocab": [[piece, score], …], "byte_fallback"}`.
public struct Unigram: TokenizationModel {
    let vocabulary: Vocabulary
    /// Scores by id (the score of the last entry for a repeated piece, as HF looks it up).
    private let scores: [Double]
    public let unknownId: Int32
    public let byteFallback: Bool
    private let unknownScore: Double
    private let byteTokenIds: [Int32?]

    /// `pieces` in id order. Precondition: `unknownId` is a valid index (checked by the loader).
    init(pieces: [(String, Double)], unknownId: Int, byteFallback: Bool) {
        precondition(unknownId >= 0 && unknownId < pieces.count, "Unigram: unk_id out of range")
        vocabulary = Vocabulary(entries: pieces.enumerated().map { ($1.0, Int32($0)) })
        scores = pieces.map(\.1)
        self.unknownId = Int32(unknownId)
        self.byteFallback = byteFallback
        unknownScore = (pieces.map(\.1).min() ?? 0) - 10
        byteTokenIds = (0..<256).map { [vocabulary] in vocabulary.id(of: String(format: "<0x%02X>", $0)) }
    }

    public var vocabularySize: Int { vocabulary.count }
    public var idLimit: Int { vocabulary.idLimit }
    public var unknownToken: String? { vocabulary.token(of: unknownId) }
    public var summary: String { "Unigram" }
    public func id(of token: String) -> Int32? { vocabulary.id(of: token) }
    public func token(of id: Int32) -> String? { vocabulary.token(of: id) }

    public func tokenize(_ word: ArraySlice<Unicode.Scalar>, into ids: inout [Int32]) {
        var tokens: [String] = []
        tokenize(word, into: &ids, tokens: &tokens)
    }

    private struct Node {
        var id: Int32 = 0
        var score: Double = 0
        var start: Int = -1
    }

    public func tokenize(_ word: ArraySlice<Unicode.Scalar>, into ids: inout [Int32], tokens: inout [String]) {
        let n = word.count
        if n == 0 { return }
        let base = word.startIndex
        let trie = vocabulary.trie
        var best = [Node](repeating: Node(), count: n + 1)
        for start in 0..<n {
            let scoreHere = best[start].score
            var node = ScalarTrie.root
            var i = start
            var hasSingle = false
            while i < n, let next = trie.child(node, word[base + i]) {
                node = next
                i += 1
                guard let id = trie.value(at: node) else { continue }
                let candidate = scores[Int(id)] + scoreHere
                if best[i].start < 0 || candidate > best[i].score {
                    best[i] = Node(id: id, score: candidate, start: start)
                }
                if i == start + 1 { hasSingle = true }
            }
            if !hasSingle {
                let candidate = unknownScore + scoreHere
                if best[start + 1].start < 0 || candidate > best[start + 1].score {
                    best[start + 1] = Node(id: unknownId, score: candidate, start: start)
                }
            }
        }
        // Backtrack, fusing runs of unknown pieces.
        var pieces: [Range<Int>] = []
        var end = n
        var unknownRunStart: Int?
        var unknownRunEnd = 0
        while end > 0 {
            let node = best[end]
            if node.id == unknownId {
                if unknownRunStart == nil { unknownRunEnd = end }
                unknownRunStart = node.start
            } else {
                if let s = unknownRunStart {
                    pieces.append(s..<unknownRunEnd)
                    unknownRunStart = nil
                }
                pieces.append(node.start..<end)
            }
            end = node.start
        }
        if let s = unknownRunStart { pieces.append(s..<unknownRunEnd) }
        for range in pieces.reversed() {
            let text = word[(base + range.lowerBound)..<(base + range.upperBound)]
            if let id = trie.lookup(text) {
                ids.append(id)
                tokens.append(vocabulary.token(of: id) ?? "")
                continue
            }
            var view = String.UnicodeScalarView()
            view.append(contentsOf: text)
            let string = String(view)
            if byteFallback {
                let byteIds = string.utf8.map { byteTokenIds[Int($0)] }
                if byteIds.allSatisfy({ $0 != nil }) {
                    for id in byteIds {
                        ids.append(id!)
                        tokens.append(vocabulary.token(of: id!) ?? "")
                    }
                    continue
                }
            }
            ids.append(unknownId)
            tokens.append(string)
        }
    }
}
