// Which tokens pad a batch and mask a span: the side files' pad_token / mask_token when given
// (they must then be in the vocabulary), else BERT's "[PAD]" / "[MASK]" if the vocabulary has
// them, else RoBERTa / SentencePiece's "<pad>" / "<mask>" — a default that is a special added token
// first (MPNet's vocabulary has both "[MASK]" and "<mask>"; only "<mask>" is special).

enum SpecialTokenRoles {
    /// `padId`: the id tokenizer.json's padding section gives, which wins if present.
    static func resolve(_ config: SpecialTokensConfig, fallbackPath: String, padId: Int32?,
                        idOf: (String) -> Int32?, isSpecial: (String) -> Bool = { _ in false })
        throws -> (padId: Int32, mask: String) {
        func find(_ role: String, defaults: [String]) throws -> (String, Int32) {
            if let entry = config.named[role] {
                guard let id = idOf(entry.content) else {
                    throw TokenizerError.missingSpecialToken(path: entry.path, role: role.replacingOccurrences(of: "_token", with: ""),
                                                             detail: "\(role) \"\(entry.content)\" is not in the vocabulary")
                }
                return (entry.content, id)
            }
            for token in defaults.filter(isSpecial) + defaults {
                if let id = idOf(token) { return (token, id) }
            }
            throw TokenizerError.missingSpecialToken(
                path: fallbackPath, role: role.replacingOccurrences(of: "_token", with: ""),
                detail: "no \(role) in tokenizer_config.json or special_tokens_map.json and no "
                    + "\(defaults.joined(separator: " or ")) in the vocabulary")
        }
        let pad = try padId ?? find("pad_token", defaults: ["[PAD]", "<pad>"]).1
        let mask = try find("mask_token", defaults: ["[MASK]", "<mask>"]).0
        return (pad, mask)
    }
}
