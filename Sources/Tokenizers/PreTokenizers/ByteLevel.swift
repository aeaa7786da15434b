// Byte-level pre-tokenization (tokenizers/src/pre_tokenizers/byte_level.rs), as GPT-2 and RoBERTa
// use it. For each piece:
//   1. add_prefix_space: prepend U+0020 unless the piece already starts with one;
//   2. use_regex: split with the GPT-2 pattern (GPT2Split), keeping every match;
//   3. map every UTF-8 byte of each word to one printable scalar (ByteLevelAlphabet), so the
//      BPE model sees e.g. "Ġhello" for " hello".

/// GPT-2's reversible byte → scalar table (openai/gpt-2 encoder.py bytes_to_unicode): the bytes
/// '!'…'~', 0xA1…0xAC and 0xAE…0xFF map to themselves, the other 68 to U+0100 + n in byte order.
public enum ByteLevelAlphabet {
    public static let scalars: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        var n: UInt32 = 0
        for b in 0..<256 {
            let printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF)
            if printable {
                table[b] = Unicode.Scalar(UInt8(b))
            } else {
                table[b] = Unicode.Scalar(0x100 + n)!
                n += 1
            }
        }
        return table
    }()

    /// Appends the byte-level form of `s` (one scalar per UTF-8 byte).
    @inline(__always)
    static func append(_ s: Unicode.Scalar, to words: inout PreTokenizedWords) {
        let v = s.value
        if v < 0x80 {
            words.appendScalar(scalars[Int(v)])
            return
        }
        for byte in UTF8.encode(s)! { words.appendScalar(scalars[Int(byte)]) }
    }
}

/// tokenizer.json `{"type": "ByteLevel", "add_prefix_space", "trim_offsets", "use_regex"}`
/// (trim_offsets only changes offsets, which are not computed here).
public struct ByteLevelPreTokenizer: PreTokenizer, Equatable {
    public var addPrefixSpace: Bool
    public var useRegex: Bool

    public init(addPrefixSpace: Bool, useRegex: Bool) {
        self.addPrefixSpace = addPrefixSpace
        self.useRegex = useRegex
    }

    public func preTokenize(_ piece: ArraySlice<Unicode.Scalar>, startsText: Bool, into words: inout PreTokenizedWords) {
        let text: ArraySlice<Unicode.Scalar>
        if addPrefixSpace && piece.first != " " {
            text = ([" "] + piece)[...]
        } else {
            text = piece
        }
        if !useRegex {
            let start = words.beginWord()
            for s in text { ByteLevelAlphabet.append(s, to: &words) }
            words.endWord(from: start, startsText: startsText)
            return
        }
        var i = text.startIndex
        while i < text.endIndex {
            let stop = GPT2Split.matchEnd(text, at: i)
            let start = words.beginWord()
            for j in i..<stop { ByteLevelAlphabet.append(text[j], to: &words) }
            words.endWord(from: start, startsText: startsText && i == text.startIndex)
            i = stop
        }
    }
}
