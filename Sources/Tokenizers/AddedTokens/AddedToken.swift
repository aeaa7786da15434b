// A token added on top of the model vocabulary (tokenizer.json `added_tokens`): special tokens
// such as [CLS] and [MASK], or user tokens. Added tokens are found in the text before the model
// sees it, so "[MASK]" in a sentence stays one token.

/// One added token and how it is matched (tokenizers/src/tokenizer/added_vocabulary.rs).
public struct AddedToken: Sendable, Equatable {
    public var id: Int32
    public var content: String
    /// Match only when not preceded or followed by a word character (`\w`).
    public var singleWord: Bool
    /// Also consume the whitespace on its left.
    public var lstrip: Bool
    /// Also consume the whitespace on its right.
    public var rstrip: Bool
    /// Match against the normalized text (true) or the raw text (false).
    public var normalized: Bool
    /// A special token ([CLS], [PAD]…); matched the same way, skipped when decoding.
    public var special: Bool

    public init(id: Int32, content: String, singleWord: Bool = false, lstrip: Bool = false, rstrip: Bool = false,
                normalized: Bool, special: Bool) {
        self.id = id
        self.content = content
        self.singleWord = singleWord
        self.lstrip = lstrip
        self.rstrip = rstrip
        self.normalized = normalized
        self.special = special
    }

    public static func == (a: AddedToken, b: AddedToken) -> Bool {
        a.id == b.id && a.content.unicodeScalars.elementsEqual(b.content.unicodeScalars)
            && a.singleWord == b.singleWord && a.lstrip == b.lstrip && a.rstrip == b.rstrip
            && a.normalized == b.normalized && a.special == b.special
    }
}
