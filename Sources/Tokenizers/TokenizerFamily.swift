// `Tokenizer.kind` for a pipeline: the family its components make.
//   WordPiece + BERT-style [CLS] … [SEP]   → "WordPiece (BERT normalizer, lowercase)" (normalizer summary)
//   WordPiece + <s> … </s> (MPNet)         → "WordPiece (MPNet)"
//   BPE + ByteLevel + <s> … </s>           → "byte-level BPE (RoBERTa)"
//   BPE + ByteLevel otherwise              → "byte-level BPE (GPT-2)"
//   Unigram + Metaspace                    → "Unigram (SentencePiece)"
// Anything else: the model's name and the normalizer's summary.

enum TokenizerFamily {
    static func kind(of t: PipelineTokenizer) -> String {
        let wrapsWithS = wrapsWithRobertaTokens(t.postProcessor)
        switch t.model {
        case is WordPiece where wrapsWithS:
            return "WordPiece (MPNet)"
        case is BPE where contains(t.preTokenizer, ByteLevelPreTokenizer.self):
            return wrapsWithS ? "byte-level BPE (RoBERTa)" : "byte-level BPE (GPT-2)"
        case is Unigram where contains(t.preTokenizer, Metaspace.self):
            return "Unigram (SentencePiece)"
        default:
            guard let normalizer = t.normalizer else { return t.model.summary }
            return "\(t.model.summary) (\(normalizer.summary))"
        }
    }

    private static func contains<P: PreTokenizer>(_ p: (any PreTokenizer)?, _ type: P.Type) -> Bool {
        guard let p else { return false }
        if p is P { return true }
        if let s = p as? SequencePreTokenizer { return s.steps.contains { contains($0, type) } }
        return false
    }

    /// True for RobertaProcessing, or a template whose first and last special tokens are <s> and </s>.
    private static func wrapsWithRobertaTokens(_ p: (any PostProcessor)?) -> Bool {
        switch p {
        case is RobertaProcessing:
            return true
        case let t as TemplateProcessing:
            guard case let .special(first, _, _, _)? = t.single.first, case let .special(last, _, _, _)? = t.single.last else {
                return false
            }
            return first == "<s>" && last == "</s>"
        case let s as SequenceProcessor:
            return s.steps.contains { wrapsWithRobertaTokens($0) }
        default:
            return false
        }
    }
}
