// tokenizer.json `{"type": "Replace", "pattern": {"String": s} | {"Regex": r}, "content": c}`
// (tokenizers/src/normalizers/replace.rs): every non-overlapping leftmost match is replaced by c.
// A String pattern is literal. Regex patterns go through Oniguruma in HF; this implementation
// understands the ones tokenizer.json files use — one atom with an optional greedy quantifier:
// the atom a literal scalar (possibly backslash-escaped) or \s; the quantifier +, {m}, {m,} or
// {m,n} with m ≥ 1 — e.g. " {2,}" (SentencePiece / XLM-R). Others are rejected when loading.

/// A Replace normalizer.
public struct Replace: Normalizer {
    enum Pattern: Equatable {
        case literal([Unicode.Scalar])
        /// A run of `atom` (nil: White_Space) of at least `min` and at most `max` scalars.
        case run(atom: Unicode.Scalar?, min: Int, max: Int?)
    }

    let pattern: Pattern
    let content: [Unicode.Scalar]
    let patternText: String

    /// A literal pattern.
    public init(literal: String, content: String) {
        pattern = .literal(Array(literal.unicodeScalars))
        self.content = Array(content.unicodeScalars)
        patternText = literal
    }

    /// A regex pattern of the supported form, or nil.
    public init?(regex: String, content: String) {
        guard let p = Replace.parse(regex) else { return nil }
        pattern = p
        self.content = Array(content.unicodeScalars)
        patternText = regex
    }

    public var summary: String { "replace \(patternText)" }

    public func normalize(_ input: ArraySlice<Unicode.Scalar>, into output: inout [Unicode.Scalar]) {
        switch pattern {
        case let .literal(needle):
            guard !needle.isEmpty, input.count >= needle.count else {
                output.append(contentsOf: input)
                return
            }
            var i = input.startIndex
            while i < input.endIndex {
                if i + needle.count <= input.endIndex && input[i] == needle[0]
                    && input[i..<(i + needle.count)].elementsEqual(needle) {
                    output.append(contentsOf: content)
                    i += needle.count
                } else {
                    output.append(input[i])
                    i += 1
                }
            }
        case let .run(atom, min, max):
            func matches(_ s: Unicode.Scalar) -> Bool {
                if let atom { return s == atom }
                return HFCharacterClasses.isWhitespace(s)
            }
            var i = input.startIndex
            while i < input.endIndex {
                var j = i
                while j < input.endIndex && matches(input[j]) && (max == nil || j - i < max!) { j += 1 }
                if j - i >= min {
                    output.append(contentsOf: content)
                    i = j
                } else if j > i {
                    output.append(contentsOf: input[i..<j])
                    i = j
                } else {
                    output.append(input[i])
                    i += 1
                }
            }
        }
    }

    /// Parses `atom quantifier?` (see the file comment).
    static func parse(_ regex: String) -> Pattern? {
        var s = Array(regex.unicodeScalars)[...]
        guard let first = s.popFirst() else { return nil }
        var atom: Unicode.Scalar?
        if first == "\\" {
            guard let escaped = s.popFirst() else { return nil }
            if escaped == "s" {
                atom = nil
            } else if escaped.properties.isAlphabetic || ("0"..."9").contains(escaped) {
                return nil  // \d, \w, \p{…}, back-references…: not supported
            } else {
                atom = escaped
            }
        } else {
            if "[](){}.*+?|^$".unicodeScalars.contains(first) { return nil }
            atom = first
        }
        if s.isEmpty {
            if let atom { return .literal([atom]) }
            return .run(atom: nil, min: 1, max: 1)
        }
        let rest = String(String.UnicodeScalarView(s))
        if rest == "+" { return .run(atom: atom, min: 1, max: nil) }
        guard rest.hasPrefix("{"), rest.hasSuffix("}") else { return nil }
        let inner = rest.dropFirst().dropLast()
        let parts = inner.split(separator: ",", omittingEmptySubsequences: false)
        guard let m = Int(parts[0]), m >= 1 else { return nil }
        switch parts.count {
        case 1: return .run(atom: atom, min: m, max: m)
        case 2:
            if parts[1].isEmpty { return .run(atom: atom, min: m, max: nil) }
            guard let n = Int(parts[1]), n >= m else { return nil }
            return .run(atom: atom, min: m, max: n)
        default: return nil
        }
    }
}
