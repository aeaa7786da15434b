// Ids → text, as HF tokenizers' `decode` does for a WordPiece pipeline: the tokens of the ids
// (special added tokens dropped when asked), joined with spaces, a continuation piece ("##ing")
// glued to the one before without its prefix, then the WordPiece decoder's cleanup (a space
// before . ? ! , and before the contractions n't 'm 's 've 're removed, " do not" → " don't",
// " ' " → "'"). Other models' decoders (byte-level BPE, Metaspace) are not implemented.

import Foundation

public enum DecodingError: Error, CustomStringConvertible, Equatable {
    case unknownId(Int)
    case unsupportedModel(String)

    public var description: String {
        switch self {
        case .unknownId(let id): return "token id \(id) is not in the vocabulary"
        case .unsupportedModel(let kind): return "decoding is implemented for WordPiece tokenizers only (this one is \(kind))"
        }
    }
}

extension PipelineTokenizer {
    /// The special tokens' ids: added tokens marked special ([PAD], [MASK], …) and those the
    /// post-processor adds around a text ([CLS], [SEP]), whether or not the file marks them.
    public var specialIds: Set<Int32> {
        Set(addedTokens.filter(\.special).map(\.id)).union(encode("", maxLength: nil).ids)
    }

    /// The text of `ids` (HF `tokenizer.decode(ids, skip_special_tokens:)`).
    public func decode(_ ids: [Int], skipSpecialTokens: Bool) throws -> String {
        guard let wordPiece = model as? WordPiece else { throw DecodingError.unsupportedModel(kind) }
        var pieces: [String] = []
        let special = specialIds
        for raw in ids {
            guard let id = Int32(exactly: raw), let token = token(of: id) else { throw DecodingError.unknownId(raw) }
            if skipSpecialTokens && special.contains(id) { continue }
            pieces.append(token)
        }
        let prefix = wordPiece.continuingSubwordPrefix
        var text = ""
        for (i, piece) in pieces.enumerated() {
            if !prefix.isEmpty && piece.hasPrefix(prefix) {
                text += piece.dropFirst(prefix.count)
            } else {
                if i > 0 { text += " " }
                text += piece
            }
        }
        return Self.cleanUp(text)
    }

    /// HF's `cleanup` of the WordPiece decoder (tokenizers/src/decoders/wordpiece.rs).
    static func cleanUp(_ text: String) -> String {
        var t = text
        for (from, to) in [(" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"),
                           (" 'm", "'m"), (" do not", " don't"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re")] {
            t = t.replacingOccurrences(of: from, with: to)
        }
        return t
    }
}
