// TemplateProcessing (tokenizers/src/processors/template.rs), e.g.
//   "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
//              {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
//   "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [101], "tokens": ["[CLS]"]}, …}
// Only the single-sequence template is used; a special-token entry may expand to several ids.

/// tokenizer.json `{"type": "TemplateProcessing", …}`.
public struct TemplateProcessing: PostProcessor {
    public enum Piece: Sendable, Equatable {
        /// A special token's ids and strings, with the type id to give them.
        case special(name: String, ids: [Int32], tokens: [String], typeId: Int32)
        /// The input sequence (A), with the type id to give it.
        case sequence(typeId: Int32)
    }

    public let single: [Piece]

    public init(single: [Piece]) { self.single = single }

    public var addedTokenCount: Int {
        single.reduce(0) { n, piece in
            if case let .special(_, ids, _, _) = piece { return n + ids.count }
            return n
        }
    }

    public var summary: String {
        single.map { piece -> String in
            switch piece {
            case let .special(name, _, _, _): return name
            case .sequence: return "$A"
            }
        }.joined(separator: " ")
    }

    public func process(_ content: Encoding) -> Encoding {
        var ids: [Int32] = [], typeIds: [Int32] = [], tokens: [String] = []
        let n = content.count + addedTokenCount
        ids.reserveCapacity(n); typeIds.reserveCapacity(n); tokens.reserveCapacity(n)
        for piece in single {
            switch piece {
            case let .special(_, pieceIds, pieceTokens, typeId):
                ids.append(contentsOf: pieceIds)
                tokens.append(contentsOf: pieceTokens)
                typeIds.append(contentsOf: repeatElement(typeId, count: pieceIds.count))
            case let .sequence(typeId):
                ids.append(contentsOf: content.ids)
                tokens.append(contentsOf: content.tokens)
                typeIds.append(contentsOf: repeatElement(typeId, count: content.count))
            }
        }
        return Encoding(ids: ids, typeIds: typeIds, tokens: tokens)
    }
}
