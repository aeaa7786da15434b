// The result of encoding one text: ids with special tokens, their type ids and token strings.

/// One encoded text, ready for the model.
public struct Encoding: Sendable, Equatable {
    /// Token ids with special tokens ([CLS] … [SEP]), truncated if a maximum length was given.
    public var ids: [Int32]
    /// Token type (segment) ids, all 0 for a single sequence.
    public var typeIds: [Int32]
    /// The token strings, the same length as `ids` (an added token keeps the text it matched).
    public var tokens: [String]

    public init(ids: [Int32], typeIds: [Int32], tokens: [String]) {
        precondition(ids.count == typeIds.count && ids.count == tokens.count, "Encoding: field lengths differ")
        self.ids = ids
        self.typeIds = typeIds
        self.tokens = tokens
    }

    /// The number of tokens.
    public var count: Int { ids.count }
}
