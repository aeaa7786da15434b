// The second stage: split a piece of normalized text into words, each of which the model
// tokenizes alone. Some pre-tokenizers also rewrite the words (ByteLevel maps bytes to
// printable characters, Metaspace turns spaces into "▁"), so words are produced as scalars.

/// Words produced by pre-tokenization, stored back to back.
public struct PreTokenizedWords: Sendable {
    /// The scalars of all words.
    public private(set) var scalars: [Unicode.Scalar] = []
    /// Each word's range in `scalars`.
    public private(set) var ranges: [Range<Int>] = []
    /// For each word, whether it begins at offset 0 of the original text (Metaspace "first").
    public private(set) var startsText: [Bool] = []

    public init() {}

    public var count: Int { ranges.count }

    /// The scalars of word `i`.
    public subscript(i: Int) -> ArraySlice<Unicode.Scalar> { scalars[ranges[i]] }

    /// Appends a word; an empty word is dropped, as HF drops empty splits.
    public mutating func append<C: Collection>(_ word: C, startsText: Bool) where C.Element == Unicode.Scalar {
        if word.isEmpty { return }
        let start = scalars.count
        scalars.append(contentsOf: word)
        ranges.append(start..<scalars.count)
        self.startsText.append(startsText)
    }

    /// Appends a word scalar by scalar: `beginWord`, then `appendScalar`s, then `endWord`.
    @inline(__always)
    mutating func beginWord() -> Int { scalars.count }

    @inline(__always)
    mutating func appendScalar(_ s: Unicode.Scalar) { scalars.append(s) }

    mutating func endWord(from start: Int, startsText: Bool) {
        guard scalars.count > start else { return }
        ranges.append(start..<scalars.count)
        self.startsText.append(startsText)
    }

    public mutating func removeAll() {
        scalars.removeAll(keepingCapacity: true)
        ranges.removeAll(keepingCapacity: true)
        startsText.removeAll(keepingCapacity: true)
    }
}

/// A pre-tokenizer (tokenizer.json `pre_tokenizer`).
public protocol PreTokenizer: Sendable {
    /// Splits one non-empty piece of normalized text into words, appending them to `words`.
    /// `startsText`: the piece begins at offset 0 of the original text.
    func preTokenize(_ piece: ArraySlice<Unicode.Scalar>, startsText: Bool, into words: inout PreTokenizedWords)
}

/// A pre-tokenizer that only splits (the words are ranges of the piece).
public protocol SplittingPreTokenizer: PreTokenizer {
    /// Appends the ranges (indices of `piece`) of the words of `piece`.
    func split(_ piece: ArraySlice<Unicode.Scalar>, into words: inout [Range<Int>])
}

extension SplittingPreTokenizer {
    /// Splits `text[range]`.
    public func split(_ text: [Unicode.Scalar], range: Range<Int>, into words: inout [Range<Int>]) {
        split(text[range], into: &words)
    }

    public func preTokenize(_ piece: ArraySlice<Unicode.Scalar>, startsText: Bool, into words: inout PreTokenizedWords) {
        var ranges: [Range<Int>] = []
        split(piece, into: &ranges)
        for r in ranges { words.append(piece[r], startsText: startsText && r.lowerBound == piece.startIndex) }
    }
}

/// tokenizer.json `{"type": "Sequence", "pretokenizers": [...]}`: each pre-tokenizer splits the
/// words of the previous one.
public struct SequencePreTokenizer: PreTokenizer {
    public let steps: [any PreTokenizer]

    public init(_ steps: [any PreTokenizer]) { self.steps = steps }

    public func preTokenize(_ piece: ArraySlice<Unicode.Scalar>, startsText: Bool, into words: inout PreTokenizedWords) {
        guard let first = steps.first else {
            words.append(piece, startsText: startsText)
            return
        }
        if steps.count == 1 {
            first.preTokenize(piece, startsText: startsText, into: &words)
            return
        }
        var current = PreTokenizedWords()
        first.preTokenize(piece, startsText: startsText, into: &current)
        for (k, step) in steps.dropFirst().enumerated() {
            let isLast = k == steps.count - 2
            var next = PreTokenizedWords()
            for i in 0..<current.count {
                if isLast {
                    step.preTokenize(current[i], startsText: current.startsText[i], into: &words)
                } else {
                    step.preTokenize(current[i], startsText: current.startsText[i], into: &next)
                }
            }
            if isLast { return }
            current = next
        }
    }
}
