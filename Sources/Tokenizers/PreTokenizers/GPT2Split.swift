// The GPT-2 split pattern, matched by hand instead of through a regex engine:
//
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//
// Oniguruma tries the alternatives left to right at each position and takes the first that matches
// (greedy quantifiers, backtracking into `\s+` for the lookahead). Every scalar is a letter, a
// number, whitespace or "other", so some alternative always matches at the current position and
// the matches tile the text (SplitDelimiterBehavior::Isolated keeps them all). At position i:
//   1. an apostrophe followed by s, t, re, ve, m, ll or d (case-sensitive) is one match;
//   2. an optional U+0020 then a maximal run of letters, of numbers, or of "other" scalars
//      (the space is taken only if the scalar after it starts such a run);
//   3. a whitespace run i..<k: to the end of the text if k is the end; else, if the run has at
//      least two scalars, all but the last (so the last one can prefix the next word: (?!\S));
//      else the single whitespace scalar (the final `\s+`).
// Character classes: RegexCharacterClasses (Unicode 16.0 categories, White_Space).

enum GPT2Split {
    /// Appends the ranges of the matches in `text`, which tile it.
    static func split(_ text: ArraySlice<Unicode.Scalar>, into matches: inout [Range<Int>]) {
        var i = text.startIndex
        let end = text.endIndex
        while i < end {
            let stop = matchEnd(text, at: i)
            matches.append(i..<stop)
            i = stop
        }
    }

    /// The end of the match starting at `i` (always > i).
    @inline(__always)
    static func matchEnd(_ text: ArraySlice<Unicode.Scalar>, at i: Int) -> Int {
        let end = text.endIndex
        let c = text[i]
        if c == "'", let n = contractionLength(text, at: i) { return i + n }
        let kind = RegexCharacterClasses.kind(c)
        var runStart = i
        var runKind = kind
        if c == " ", i + 1 < end {
            let next = RegexCharacterClasses.kind(text[i + 1])
            if next != .whitespace {
                runStart = i + 1
                runKind = next
            }
        }
        if runKind != .whitespace {
            var j = runStart + 1
            while j < end && RegexCharacterClasses.kind(text[j]) == runKind { j += 1 }
            return j
        }
        var k = i + 1
        while k < end && RegexCharacterClasses.kind(text[k]) == .whitespace { k += 1 }
        if k == end { return end }
        return k - 1 > i ? k - 1 : k
    }

    /// 's 't 're 've 'm 'll 'd at `i` (which holds the apostrophe): the match length, or nil.
    @inline(__always)
    private static func contractionLength(_ text: ArraySlice<Unicode.Scalar>, at i: Int) -> Int? {
        guard i + 1 < text.endIndex else { return nil }
        let a = text[i + 1]
        switch a {
        case "s", "t", "m", "d": return 2
        case "r", "v":
            return i + 2 < text.endIndex && text[i + 2] == "e" ? 3 : nil
        case "l":
            return i + 2 < text.endIndex && text[i + 2] == "l" ? 3 : nil
        default: return nil
        }
    }
}
