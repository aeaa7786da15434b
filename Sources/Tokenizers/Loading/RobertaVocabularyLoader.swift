// The fallback for a byte-level BPE checkpoint without tokenizer.json: vocab.json + merges.txt +
// tokenizer_config.json (and special_tokens_map.json), built the way transformers 5's
// RobertaTokenizer builds its `tokenizers` pipeline (transformers/models/roberta/
// tokenization_roberta.py, recorded in Tests/Fixtures/tokenizers/family_parity.json):
//   - vocab.json: an object token → id (read like serde_json: a repeated token keeps its last id);
//   - merges.txt: lines (\n or \r\n), "#version" lines skipped, each exactly two parts split on
//     U+0020 (HF's BPE::read_file);
//   - BPE(dropout none, no unk_token, continuing_subword_prefix "", end_of_word_suffix "",
//     fuse_unk false), ByteLevel(add_prefix_space from the config, default false, use_regex);
//   - the named special tokens (defaults <s> </s> <unk> <pad> <mask>) and extra special tokens as
//     added tokens, or tokenizer_config.json's added_tokens_decoder;
//   - RobertaProcessing(cls, sep).

import JSON
import Foundation
import FileIO

enum RobertaVocabularyLoader {
    static let supportedClasses: Set<String> = ["RobertaTokenizer", "RobertaTokenizerFast"]

    static func load(vocabulary url: URL, merges mergesURL: URL, sideFiles config: SpecialTokensConfig) throws
        -> PipelineTokenizer {
        if let cls = config.tokenizerClass, !supportedClasses.contains(cls) {
            throw TokenizerError.unsupported(path: config.configPath ?? url.path, field: "tokenizer_class",
                                             what: "a vocab.json + merges.txt tokenizer of class \"\(cls)\" without tokenizer.json")
        }
        for file in [url, mergesURL] where !FileManager.default.fileExists(atPath: file.path) {
            throw TokenizerError.unreadable(path: file.path, reason: "missing (vocab.json and merges.txt go together)")
        }
        let doc = try JSONDocument.read(url)
        let entries = try ComponentFactory.vocabularyObject(doc.root, doc, field: "(top level)")
        let merges = try readMerges(mergesURL)
        let model = try ComponentFactory.makeBPE(entries: entries, merges: merges, unknownToken: nil, prefix: "", suffix: "",
                                                 fuseUnknown: false, byteFallback: false, ignoreMerges: false,
                                                 path: mergesURL.path, field: "merges")

        func role(_ name: String, _ defaultToken: String) -> SpecialTokensConfig.Entry {
            config.named[name] ?? SpecialTokensConfig.Entry(content: defaultToken, path: url.path)
        }
        let bos = role("bos_token", "<s>"), eos = role("eos_token", "</s>"), unk = role("unk_token", "<unk>")
        let sep = role("sep_token", "</s>"), pad = role("pad_token", "<pad>"), cls = role("cls_token", "<s>")
        let mask = role("mask_token", "<mask>")
        let addedTokens = BertVocabularyLoader.makeAddedTokens(config, model: model,
                                                               defaults: [bos, eos, unk, sep, pad, cls, mask])
        func idOf(_ token: String) -> Int32? {
            addedTokens.last(where: { $0.content.unicodeScalars.elementsEqual(token.unicodeScalars) })?.id ?? model.id(of: token)
        }
        // Both are added tokens (makeAddedTokens adds every default role), so both have ids.
        let post = RobertaProcessing(cls: (cls.content, idOf(cls.content)!), sep: (sep.content, idOf(sep.content)!))
        let special = try SpecialTokenRoles.resolve(config, fallbackPath: config.configPath ?? url.path, padId: nil,
                                                    idOf: idOf)
        return PipelineTokenizer(normalizer: nil,
                                 preTokenizer: ByteLevelPreTokenizer(addPrefixSpace: config.addPrefixSpace ?? false, useRegex: true),
                                 model: model, postProcessor: post, addedTokens: addedTokens, padTokenId: special.padId,
                                 maskToken: special.mask, declaredMaxLength: config.modelMaxLength)
    }

    /// "left right" split on U+0020 into exactly two parts (Rust `split(' ')`), or nil.
    static func splitMerge(_ line: String) -> (String, String)? {
        let parts = line.unicodeScalars.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        return (String(String.UnicodeScalarView(parts[0])), String(String.UnicodeScalarView(parts[1])))
    }

    /// merges.txt as HF's BPE::read_file reads it.
    static func readMerges(_ url: URL) throws -> [(String, String)] {
        let data: Data
        do {
            data = try TextLines.readFile(url)
        } catch {
            throw TokenizerError.from(error, path: url.path)
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw TokenizerError.unreadable(path: url.path, reason: "not valid UTF-8")
        }
        // Split on scalars, not Characters ("\r\n" and " " + a combining mark are single Characters).
        var lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.last == "\r" ? line.dropLast() : line
        }
        if lines.last?.isEmpty == true { lines.removeLast() }  // after the final newline
        var merges: [(String, String)] = []
        var rank = 0
        for line in lines {
            let string = String(String.UnicodeScalarView(line))
            if string.unicodeScalars.starts(with: "#version".unicodeScalars) { continue }
            rank += 1
            guard let pair = splitMerge(string) else {
                throw TokenizerError.malformed(path: url.path, field: "merge \(rank)",
                                               problem: "expected \"left right\", found \"\(string)\"")
            }
            merges.append(pair)
        }
        return merges
    }
}
