// tokenizer.json `{"type": "Split", "pattern": {"String": s} | {"Regex": r}, "behavior", "invert"}`
// (tokenizers/src/pre_tokenizers/split.rs, NormalizedString::split). The pattern's matches and the
// text between them tile the piece; `invert` swaps which are matches; then the behaviour:
//   Removed: drop matches; Isolated: keep every part; MergedWithPrevious: a match joins the part
//   before it (unless that part is also a match); MergedWithNext: a match joins the part after it
//   (unless that is a match); Contiguous: runs of parts of the same kind join.
// Patterns: any String (literal, non-overlapping, leftmost), and the GPT-2 regex (GPT2Split);
// other regexes are rejected when loading.

/// A Split pre-tokenizer.
public struct SplitPreTokenizer: SplittingPreTokenizer {
    public enum Behavior: String, Sendable {
        case removed = "Removed", isolated = "Isolated", mergedWithPrevious = "MergedWithPrevious"
        case mergedWithNext = "MergedWithNext", contiguous = "Contiguous"
    }

    enum Pattern: Equatable {
        case literal([Unicode.Scalar])
        case gpt2
    }

    /// The GPT-2 split regex as tokenizer.json spells it.
    static let gpt2Pattern = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#

    let pattern: Pattern
    public let behavior: Behavior
    public let invert: Bool

    init(pattern: Pattern, behavior: Behavior, invert: Bool) {
        self.pattern = pattern
        self.behavior = behavior
        self.invert = invert
    }

    public func split(_ piece: ArraySlice<Unicode.Scalar>, into words: inout [Range<Int>]) {
        var parts: [(range: Range<Int>, isMatch: Bool)] = []
        switch pattern {
        case .gpt2:
            var ranges: [Range<Int>] = []
            GPT2Split.split(piece, into: &ranges)
            parts = ranges.map { ($0, true) }
        case let .literal(needle):
            if needle.isEmpty {
                parts = [(piece.startIndex..<piece.endIndex, false)]
                break
            }
            var last = piece.startIndex
            var i = piece.startIndex
            while i + needle.count <= piece.endIndex {
                if piece[i..<(i + needle.count)].elementsEqual(needle) {
                    if last < i { parts.append((last..<i, false)) }
                    parts.append((i..<(i + needle.count), true))
                    i += needle.count
                    last = i
                } else {
                    i += 1
                }
            }
            if last < piece.endIndex { parts.append((last..<piece.endIndex, false)) }
        }
        if invert { parts = parts.map { ($0.range, !$0.isMatch) } }

        var out: [Range<Int>] = []
        switch behavior {
        case .isolated:
            out = parts.map(\.range)
        case .removed:
            out = parts.filter { !$0.isMatch }.map(\.range)
        case .contiguous:
            var previous = false
            for p in parts {
                if p.isMatch == previous, let last = out.popLast() {
                    out.append(last.lowerBound..<p.range.upperBound)
                } else {
                    out.append(p.range)
                }
                previous = p.isMatch
            }
        case .mergedWithPrevious:
            var previous = false
            for p in parts {
                if p.isMatch && !previous, let last = out.popLast() {
                    out.append(last.lowerBound..<p.range.upperBound)
                } else {
                    out.append(p.range)
                }
                previous = p.isMatch
            }
        case .mergedWithNext:
            var previous = false
            for p in parts.reversed() {
                if p.isMatch && !previous, let last = out.popLast() {
                    out.append(p.range.lowerBound..<last.upperBound)
                } else {
                    out.append(p.range)
                }
                previous = p.isMatch
            }
            out.reverse()
        }
        words.append(contentsOf: out.filter { !$0.isEmpty })
    }
}
