// RobertaProcessing (tokenizers/src/processors/roberta.rs): <s> A </s> for a single sequence, all
// type ids 0 (trim_offsets and add_prefix_space only move offsets). tokenizer.json:
// {"type": "RobertaProcessing", "sep": ["</s>", 2], "cls": ["<s>", 0], "trim_offsets": true,
//  "add_prefix_space": false}. Also used by MPNet.

/// tokenizer.json `{"type": "RobertaProcessing", …}`.
public struct RobertaProcessing: PostProcessor {
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

/// tokenizer.json `{"type": "Sequence", "processors": [...]}`: each processor in turn (a ByteLevel
/// processor, which only trims offsets, is dropped when loading).
public struct SequenceProcessor: PostProcessor {
    public let steps: [any PostProcessor]

    public init(_ steps: [any PostProcessor]) { self.steps = steps }

    public var addedTokenCount: Int { steps.reduce(0) { $0 + $1.addedTokenCount } }
    public var summary: String { steps.map(\.summary).joined(separator: "; ") }

    public func process(_ content: Encoding) -> Encoding {
        steps.reduce(content) { $1.process($0) }
    }
}
