// BertProcessing (tokenizers/src/processors/bert.rs): [CLS] A [SEP] for a single sequence,
// all type ids 0. tokenizer.json: {"type": "BertProcessing", "sep": ["[SEP]", 102], "cls": ["[CLS]", 101]}.

/// tokenizer.json `{"type": "BertProcessing", …}`.
public struct BertProcessing: PostProcessor {
    public let cls: (token: String, id: Int32)
    public let sep: (token: String, id: Int32)

    public init(cls: (String, Int32), sep: (String, Int32)) {
        self.cls = cls
        self.sep = sep
    }

    public var addedTokenCount: Int { 2 }
    public var summary: String { "\(cls.token) $A \(sep.token)" }

    public func process(_ content: Encoding) -> Encoding {
        Encoding(ids: [cls.id] + content.ids + [sep.id],
                 typeIds: [Int32](repeating: 0, count: content.count + 2),
                 tokens: [cls.token] + content.tokens + [sep.token])
    }
}
