// The small normalizers of tokenizers/src/normalizers/ (unicode.rs, utils.rs, strip.rs,
// prepend.rs) that SentencePiece-style tokenizer.json files combine in a Sequence.

/// tokenizer.json `{"type": "NFC"}`, `"NFD"`, `"NFKC"` or `"NFKD"` (Unicode 9.0, as HF).
public struct UnicodeNormalizer: Normalizer, Equatable {
    let form: HFUnicodeNormalization.Form

    init(_ form: HFUnicodeNormalization.Form) { self.form = form }

    public var summary: String { form.rawValue }

    public func normalize(_ input: ArraySlice<Unicode.Scalar>, into output: inout [Unicode.Scalar]) {
        HFUnicodeNormalization.append(form, input, to: &output)
    }
}

/// tokenizer.json `{"type": "Lowercase"}`: Rust `char::to_lowercase` per scalar.
public struct Lowercase: Normalizer, Equatable {
    public init() {}
    public var summary: String { "lowercase" }

    public func normalize(_ input: ArraySlice<Unicode.Scalar>, into output: inout [Unicode.Scalar]) {
        for s in input { HFCharacterClasses.appendLowercase(s, to: &output) }
    }
}

/// tokenizer.json `{"type": "Strip", "strip_left", "strip_right"}`: removes leading / trailing
/// White_Space.
public struct Strip: Normalizer, Equatable {
    public var left: Bool, right: Bool

    public init(left: Bool, right: Bool) {
        self.left = left
        self.right = right
    }

    public var summary: String { left && right ? "strip" : left ? "strip left" : right ? "strip right" : "no strip" }

    public func normalize(_ input: ArraySlice<Unicode.Scalar>, into output: inout [Unicode.Scalar]) {
        var lo = input.startIndex, hi = input.endIndex
        if left { while lo < hi && HFCharacterClasses.isWhitespace(input[lo]) { lo += 1 } }
        if right { while hi > lo && HFCharacterClasses.isWhitespace(input[hi - 1]) { hi -= 1 } }
        output.append(contentsOf: input[lo..<hi])
    }
}

/// tokenizer.json `{"type": "Prepend", "prepend"}`: prepends a string to non-empty text.
public struct Prepend: Normalizer, Equatable {
    public var prefix: [Unicode.Scalar]

    public init(_ prefix: String) { self.prefix = Array(prefix.unicodeScalars) }

    public var summary: String { "prepend" }

    public func normalize(_ input: ArraySlice<Unicode.Scalar>, into output: inout [Unicode.Scalar]) {
        if !input.isEmpty { output.append(contentsOf: prefix) }
        output.append(contentsOf: input)
    }
}

/// tokenizer.json `{"type": "Nmt"}` (unicode.rs do_nmt): drops ASCII control characters
/// (U+0001–U+0008, U+000B, U+000E–U+001F, U+007F, U+008F, U+009F) and turns \t \n \f \r, U+1680,
/// U+200B–U+200F, U+2028, U+2029, U+2581, U+FEFF and U+FFFD into a space.
public struct Nmt: Normalizer, Equatable {
    public init() {}
    public var summary: String { "NMT" }

    public func normalize(_ input: ArraySlice<Unicode.Scalar>, into output: inout [Unicode.Scalar]) {
        for s in input {
            switch s.value {
            case 0x01...0x08, 0x0B, 0x0E...0x1F, 0x7F, 0x8F, 0x9F:
                continue
            case 0x09, 0x0A, 0x0C, 0x0D, 0x1680, 0x200B...0x200F, 0x2028, 0x2029, 0x2581, 0xFEFF, 0xFFFD:
                output.append(" ")
            default:
                output.append(s)
            }
        }
    }
}

/// tokenizer.json `{"type": "Sequence", "normalizers": [...]}`: each normalizer in turn.
public struct SequenceNormalizer: Normalizer {
    public let steps: [any Normalizer]

    public init(_ steps: [any Normalizer]) { self.steps = steps }

    public var summary: String { steps.map(\.summary).joined(separator: ", ") }

    public func normalize(_ input: ArraySlice<Unicode.Scalar>, into output: inout [Unicode.Scalar]) {
        guard steps.count > 1 else {
            if let only = steps.first { only.normalize(input, into: &output) } else { output.append(contentsOf: input) }
            return
        }
        var current = Array(input)
        var next: [Unicode.Scalar] = []
        for (i, step) in steps.enumerated() {
            if i == steps.count - 1 {
                step.normalize(current[...], into: &output)
            } else {
                next.removeAll(keepingCapacity: true)
                step.normalize(current[...], into: &next)
                swap(&current, &next)
            }
        }
    }
}
