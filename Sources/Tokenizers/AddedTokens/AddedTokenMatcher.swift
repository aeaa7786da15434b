// Finds added tokens in a text the way HF's AddedVocabulary::find_matches does: non-overlapping
// leftmost-longest matches (Aho-Corasick semantics) over the whole text first; then each match
// is dropped if `single_word` fails, widened by `lstrip` / `rstrip` whitespace (never back over
// an earlier match), and the text between matches is left for the model.

/// A piece of text: either plain text to tokenize or one added token.
enum AddedTokenSegment: Equatable {
    case text(Range<Int>)
    case token(index: Int, range: Range<Int>)
}

/// Matches one set of added tokens (the raw-text set or the normalized-text set).
struct AddedTokenMatcher: Sendable {
    let tokens: [AddedToken]
    /// Pattern → index in `tokens`.
    private let trie: ScalarTrie
    /// First scalars of the patterns, to skip positions quickly.
    private let firstScalars: Set<UInt32>

    /// `patterns[i]` is what `tokens[i]` matches (its content, or its normalized content).
    init(tokens: [AddedToken], patterns: [[Unicode.Scalar]]) {
        precondition(tokens.count == patterns.count)
        var trie = ScalarTrie()
        var first = Set<UInt32>()
        var kept: [AddedToken] = []
        for (token, pattern) in zip(tokens, patterns) where !pattern.isEmpty {
            trie.insert(pattern, value: Int32(kept.count))
            first.insert(pattern[0].value)
            kept.append(token)
        }
        self.tokens = kept
        self.trie = trie
        self.firstScalars = first
    }

    var isEmpty: Bool { tokens.isEmpty }

    /// Splits `text[range]` into segments that cover it in order.
    func split(_ text: [Unicode.Scalar], range: Range<Int>, into segments: inout [AddedTokenSegment]) {
        if tokens.isEmpty || range.isEmpty {
            segments.append(.text(range))
            return
        }
        let slice = text[range]
        var startOffset = range.lowerBound
        var position = range.lowerBound
        while position < range.upperBound {
            guard firstScalars.contains(text[position].value),
                  let match = trie.longestMatch(in: slice, from: position) else {
                position += 1
                continue
            }
            let token = tokens[Int(match.value)]
            var start = position
            var stop = match.end
            position = match.end
            if token.singleWord {
                let wordBefore = start > range.lowerBound && HFCharacterClasses.isWordCharacter(text[start - 1])
                let wordAfter = stop < range.upperBound && HFCharacterClasses.isWordCharacter(text[stop])
                if wordBefore || wordAfter { continue }
            }
            if token.lstrip {
                var newStart = start
                while newStart > range.lowerBound && HFCharacterClasses.isWhitespace(text[newStart - 1]) { newStart -= 1 }
                start = max(newStart, startOffset)
            }
            if token.rstrip {
                while stop < range.upperBound && HFCharacterClasses.isWhitespace(text[stop]) { stop += 1 }
            }
            if startOffset < start { segments.append(.text(startOffset..<start)) }
            segments.append(.token(index: Int(match.value), range: start..<stop))
            startOffset = stop
        }
        if startOffset < range.upperBound { segments.append(.text(startOffset..<range.upperBound)) }
    }
}
