// Loads a tokenizer from tokenizer.json (the format of the Python `tokenizers` package), as
// `Tokenizer.from_file` would. Its `padding` and `truncation` sections are not applied — callers
// pass maxLength and pad with TokenBatch — but they supply the pad id and the declared maximum
// length. The pad and mask tokens come from the checkpoint's side files when present.

import JSON
import Foundation

enum TokenizerJSONLoader {
    static let topLevelKeys: Set<String> = ["version", "truncation", "padding", "added_tokens", "normalizer",
                                            "pre_tokenizer", "model", "post_processor", "decoder"]

    static func load(_ url: URL, sideFiles: SpecialTokensConfig) throws -> PipelineTokenizer {
        try load(try JSONDocument.read(url), sideFiles: sideFiles)
    }

    static func load(_ doc: JSONDocument, sideFiles: SpecialTokensConfig) throws -> PipelineTokenizer {
        let root = doc.root
        try doc.checkKeys(root, "", allowed: topLevelKeys)
        guard let modelValue = root["model"] else { throw doc.malformed("model", "missing") }
        let model = try ComponentFactory.makeModel(modelValue, doc)
        let normalizer = try ComponentFactory.makeNormalizer(root["normalizer"] ?? .null, doc)
        let preTokenizer = try ComponentFactory.makePreTokenizer(root["pre_tokenizer"] ?? .null, doc)
        let addedTokens = try ComponentFactory.makeAddedTokens(root["added_tokens"], doc, model: model)
        func idOf(_ token: String) -> Int32? {
            addedTokens.last(where: { $0.content.unicodeScalars.elementsEqual(token.unicodeScalars) })?.id ?? model.id(of: token)
        }
        let postProcessor = try ComponentFactory.makePostProcessor(root["post_processor"] ?? .null, doc)

        var padId: Int32?
        if let padding = root["padding"], padding != .null {
            padId = try doc.tokenId(padding["pad_id"], "padding.pad_id")
        }
        var declaredMaxLength = sideFiles.modelMaxLength
        if let truncation = root["truncation"], truncation != .null {
            declaredMaxLength = try doc.int(truncation["max_length"], "truncation.max_length")
        }
        func isSpecial(_ token: String) -> Bool {
            addedTokens.contains { $0.special && $0.content.unicodeScalars.elementsEqual(token.unicodeScalars) }
        }
        let special = try SpecialTokenRoles.resolve(sideFiles, fallbackPath: doc.path, padId: padId, idOf: idOf,
                                                    isSpecial: isSpecial)
        return PipelineTokenizer(normalizer: normalizer, preTokenizer: preTokenizer, model: model,
                                 postProcessor: postProcessor, addedTokens: addedTokens, padTokenId: special.padId,
                                 maskToken: special.mask, declaredMaxLength: declaredMaxLength)
    }
}
