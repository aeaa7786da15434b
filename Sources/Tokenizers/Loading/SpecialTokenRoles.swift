// Which tokens pad a batch and mask a span: the side files' pad_token / mask_token when given
// (they must then be in the vocabulary), else "[PAD]" / "[MASK]" if the vocabulary has them.

enum SpecialTokenRoles {
    /// `padId`: the id tokenizer.json's padding section gives, which wins if present.
    static func resolve(_ config: SpecialTokensConfig, fallbackPath: String, padId: Int32?,
                        idOf: (String) -> Int32?) throws -> (padId: Int32, mask: String) {
        func find(_ role: String, default defaultToken: String) throws -> (String, Int32) {
            if let entry = config.named[role] {
                guard let id = idOf(entry.content) else {
                    throw TokenizerError.missingSpecialToken(path: entry.path, role: role.replacingOccurrences(of: "_token", with: ""),
                                                             detail: "\(role) \"\(entry.content)\" is not in the vocabulary")
                }
                return (entry.content, id)
            }
            if let id = idOf(defaultToken) { return (defaultToken, id) }
            throw TokenizerError.missingSpecialToken(
                path: fallbackPath, role: role.replacingOccurrences(of: "_token", with: ""),
                detail: "no \(role) in tokenizer_config.json or special_tokens_map.json and no \(defaultToken) in the vocabulary")
        }
        let pad = try padId ?? find("pad_token", default: "[PAD]").1
        let mask = try find("mask_token", default: "[MASK]").0
        return (pad, mask)
    }
}
