// The fallback when a checkpoint has no tokenizer.json: vocab.txt plus tokenizer_config.json
// (and special_tokens_map.json), built the way transformers 5's BertTokenizer builds its
// `tokenizers` pipeline (transformers/models/bert/tokenization_bert.py):
//   - vocab.txt read like Python's `open(…).readlines()` with `rstrip("\n")`: lines end at \n,
//     \r\n or \r, nothing else is trimmed, the line number is the id, a repeated line keeps the
//     last id;
//   - BertNormalizer(clean_text=True, handle_chinese_chars=tokenize_chinese_chars,
//     strip_accents=strip_accents, lowercase=do_lower_case), BertPreTokenizer,
//     WordPiece(unk_token, "##", 100);
//   - the named special tokens and extra special tokens as added tokens (special,
//     normalized=false unless the file says otherwise), or tokenizer_config.json's
//     added_tokens_decoder when it has one;
//   - TemplateProcessing "[CLS]:0 $A:0 [SEP]:0".
// MPNetTokenizer (transformers/models/mpnet/tokenization_mpnet.py) is the same pipeline with
// RoBERTa-style special tokens — defaults <s> </s> [UNK] <pad> <mask>, a mask token given as a
// plain string made lstrip — and RobertaProcessing(cls, sep).

import Foundation
import FileIO

enum BertVocabularyLoader {
    /// tokenizer_class values whose vocab.txt this loader understands (BERT-style WordPiece).
    static let supportedClasses: Set<String> = [
        "BertTokenizer", "BertTokenizerFast", "DistilBertTokenizer", "DistilBertTokenizerFast",
        "ElectraTokenizer", "ElectraTokenizerFast", "MPNetTokenizer", "MPNetTokenizerFast",
    ]

    static func load(vocabulary url: URL, sideFiles config: SpecialTokensConfig) throws -> PipelineTokenizer {
        if let cls = config.tokenizerClass, !supportedClasses.contains(cls) {
            throw TokenizerError.unsupported(path: config.configPath ?? url.path, field: "tokenizer_class",
                                             what: "a vocab.txt tokenizer of class \"\(cls)\" without tokenizer.json")
        }
        let lines = try readLines(url)
        let entries = lines.enumerated().map { ($1, Int32($0)) }

        let mpnet = config.tokenizerClass?.hasPrefix("MPNet") == true
        func role(_ name: String, _ defaultToken: String) -> SpecialTokensConfig.Entry {
            config.named[name] ?? SpecialTokensConfig.Entry(content: defaultToken, isPlainString: true, path: url.path)
        }
        // BertTokenizer's / MPNetTokenizer's defaults for the roles the config does not name.
        let unk = role("unk_token", "[UNK]"), sep = role("sep_token", mpnet ? "</s>" : "[SEP]")
        let pad = role("pad_token", mpnet ? "<pad>" : "[PAD]"), cls = role("cls_token", mpnet ? "<s>" : "[CLS]")
        var mask = role("mask_token", mpnet ? "<mask>" : "[MASK]")
        var defaults = [unk, sep, pad, cls, mask]
        if mpnet {
            if mask.isPlainString { mask.lstrip = true }
            defaults = [role("bos_token", "<s>"), role("eos_token", "</s>"), unk, sep, pad, cls, mask]
        }
        guard let model = WordPiece(vocabulary: entries, unknownToken: unk.content, continuingSubwordPrefix: "##",
                                    maxInputCharsPerWord: 100) else {
            throw TokenizerError.missingSpecialToken(path: url.path, role: "unknown",
                                                     detail: "unk_token \"\(unk.content)\" is not in \(url.lastPathComponent)")
        }
        let normalizer = BertNormalizer(cleanText: true, handleChineseCharacters: config.tokenizeChineseChars ?? true,
                                        stripAccents: config.stripAccents ?? nil, lowercase: config.doLowerCase ?? true)
        var named = config
        if mpnet { named.named["mask_token"] = mask }
        let addedTokens = makeAddedTokens(named, model: model, defaults: defaults)
        func idOf(_ token: String) -> Int32? {
            addedTokens.last(where: { $0.content.unicodeScalars.elementsEqual(token.unicodeScalars) })?.id ?? model.id(of: token)
        }
        // Both are added tokens (makeAddedTokens adds every default role), so both have ids.
        let clsId = idOf(cls.content)!, sepId = idOf(sep.content)!
        let post: any PostProcessor = mpnet
            ? RobertaProcessing(cls: (cls.content, clsId), sep: (sep.content, sepId))
            : TemplateProcessing(single: [
                .special(name: cls.content, ids: [clsId], tokens: [cls.content], typeId: 0),
                .sequence(typeId: 0),
                .special(name: sep.content, ids: [sepId], tokens: [sep.content], typeId: 0),
            ])
        func isSpecial(_ token: String) -> Bool {
            addedTokens.contains { $0.special && $0.content.unicodeScalars.elementsEqual(token.unicodeScalars) }
        }
        let special = try SpecialTokenRoles.resolve(config, fallbackPath: config.configPath ?? url.path, padId: nil,
                                                    idOf: idOf, isSpecial: isSpecial)
        return PipelineTokenizer(normalizer: normalizer, preTokenizer: BertPreTokenizer(), model: model,
                                 postProcessor: post, addedTokens: addedTokens, padTokenId: special.padId,
                                 maskToken: special.mask, declaredMaxLength: config.modelMaxLength)
    }

    /// Lines of vocab.txt as Python's text mode reads them (universal newlines, BOM kept).
    static func readLines(_ url: URL) throws -> [String] {
        let data: Data
        do {
            data = try TextLines.readFile(url)
        } catch {
            throw TokenizerError.from(error, path: url.path)
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw TokenizerError.unreadable(path: url.path, reason: "not valid UTF-8")
        }
        var lines: [String] = []
        var current = String.UnicodeScalarView()
        var afterCR = false
        for s in text.unicodeScalars {
            if afterCR && s == "\n" { afterCR = false; continue }
            afterCR = false
            if s == "\n" || s == "\r" {
                lines.append(String(current))
                current = String.UnicodeScalarView()
                afterCR = s == "\r"
            } else {
                current.append(s)
            }
        }
        if !current.isEmpty { lines.append(String(current)) }
        return lines
    }

    /// The added tokens transformers registers: `added_tokens_decoder` if the config has it,
    /// else the named special tokens then the extra ones; ids from the vocabulary, or new ids
    /// after it in order.
    static func makeAddedTokens(_ config: SpecialTokensConfig, model: any TokenizationModel,
                                        defaults: [SpecialTokensConfig.Entry]) -> [AddedToken] {
        var result: [AddedToken] = config.addedTokensDecoder ?? []
        var nextId = Int32(max(model.idLimit, Int(result.map(\.id).max() ?? -1) + 1))
        func has(_ content: String) -> Bool {
            result.contains { $0.content.unicodeScalars.elementsEqual(content.unicodeScalars) }
        }
        var named = SpecialTokensConfig.roles.compactMap { config.named[$0] }
        for d in defaults where !named.contains(where: { $0.content.unicodeScalars.elementsEqual(d.content.unicodeScalars) }) {
            named.append(d)
        }
        for entry in named + config.extra where !has(entry.content) {
            let id: Int32
            if let existing = model.id(of: entry.content) {
                id = existing
            } else {
                id = nextId
                nextId += 1
            }
            result.append(AddedToken(id: id, content: entry.content, singleWord: entry.singleWord, lstrip: entry.lstrip,
                                     rstrip: entry.rstrip, normalized: entry.normalized ?? false, special: true))
        }
        return result
    }
}
