// The transformers side files of a checkpoint: tokenizer_config.json and special_tokens_map.json.
// They name the special tokens (pad, mask, …) and, for the vocab.txt fallback, the BERT options.
// As transformers 5 does: tokenizer_config.json is read first; special_tokens_map.json overrides
// its named tokens unless tokenizer_config.json has `added_tokens_decoder` (then it is not read).
// A token may be a string or an object {"content", "lstrip", "rstrip", "single_word", "normalized"}.

import JSON
import Foundation

/// What tokenizer_config.json and special_tokens_map.json say.
struct SpecialTokensConfig {
    /// A token named by a role or listed as extra, with its flags as the file gives them.
    struct Entry {
        var content: String
        var singleWord = false
        var lstrip = false
        var rstrip = false
        /// nil: not given (special tokens default to normalized = false).
        var normalized: Bool?
        /// Given as a plain string (MPNet then makes its mask token lstrip).
        var isPlainString = false
        /// The file that named it.
        var path: String
    }

    /// transformers' SPECIAL_TOKENS_ATTRIBUTES order (without the extra list).
    static let roles = ["bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"]

    var named: [String: Entry] = [:]
    var extra: [Entry] = []
    /// tokenizer_config.json `added_tokens_decoder`, if present.
    var addedTokensDecoder: [AddedToken]?
    var modelMaxLength: Int?
    var doLowerCase: Bool?
    /// Outer nil: not given; inner nil: given as null.
    var stripAccents: Bool??
    var tokenizeChineseChars: Bool?
    var tokenizerClass: String?
    /// RoBERTa's add_prefix_space (the vocab.json fallback).
    var addPrefixSpace: Bool?
    var configPath: String?

    /// Reads whichever of the two files exist in `directory`.
    static func read(from directory: URL) throws -> SpecialTokensConfig {
        var config = SpecialTokensConfig()
        let configURL = directory.appendingPathComponent("tokenizer_config.json")
        if FileManager.default.fileExists(atPath: configURL.path) {
            let doc = try JSONDocument.read(configURL)
            try config.readTokenizerConfig(doc)
        }
        let mapURL = directory.appendingPathComponent("special_tokens_map.json")
        if config.addedTokensDecoder == nil, FileManager.default.fileExists(atPath: mapURL.path) {
            let doc = try JSONDocument.read(mapURL)
            _ = try doc.object(doc.root, "(top level)")
            try config.readNamedTokens(doc)
        }
        return config
    }

    private mutating func readTokenizerConfig(_ doc: JSONDocument) throws {
        configPath = doc.path
        let root = doc.root
        _ = try doc.object(root, "(top level)")
        try readNamedTokens(doc)
        if let v = root["model_max_length"], v != .null {
            guard case let .number(n) = v else { throw doc.malformed("model_max_length", "expected a number") }
            // transformers writes int(1e30) for "no limit".
            let x = n.double
            if let i = n.int, i > 0, i < 1_000_000 { modelMaxLength = i } else if x > 0, x < 1_000_000 { modelMaxLength = Int(x) }
        }
        if let v = root["do_lower_case"] { doLowerCase = try doc.bool(v, "do_lower_case") }
        if let v = root["strip_accents"] { stripAccents = v == .null ? .some(nil) : .some(try doc.bool(v, "strip_accents")) }
        if let v = root["tokenize_chinese_chars"] { tokenizeChineseChars = try doc.bool(v, "tokenize_chinese_chars") }
        if let v = root["tokenizer_class"], v != .null { tokenizerClass = try doc.string(v, "tokenizer_class") }
        if let v = root["add_prefix_space"], v != .null { addPrefixSpace = try doc.bool(v, "add_prefix_space") }
        if let v = root["added_tokens_decoder"], v != .null {
            var tokens: [AddedToken] = []
            for (key, value) in try doc.object(v, "added_tokens_decoder") {
                let field = "added_tokens_decoder.\(key)"
                guard let id = Int32(key), id >= 0 else { throw doc.malformed(field, "the key must be a token id") }
                let special = try doc.optionalBool(value, "special", field: field, default: false)
                tokens.append(AddedToken(
                    id: id, content: try doc.string(value["content"], "\(field).content"),
                    singleWord: try doc.optionalBool(value, "single_word", field: field, default: false),
                    lstrip: try doc.optionalBool(value, "lstrip", field: field, default: false),
                    rstrip: try doc.optionalBool(value, "rstrip", field: field, default: false),
                    normalized: try doc.optionalBool(value, "normalized", field: field, default: !special),
                    special: special))
            }
            addedTokensDecoder = tokens
        }
    }

    private mutating func readNamedTokens(_ doc: JSONDocument) throws {
        for role in SpecialTokensConfig.roles {
            guard let v = doc.root[role], v != .null else { continue }
            named[role] = try entry(v, role, doc)
        }
        for key in ["additional_special_tokens", "extra_special_tokens"] {
            guard let v = doc.root[key], v != .null else { continue }
            if case .object = v { continue }  // model-specific named tokens: not used for matching here
            for (i, element) in try doc.array(v, key).enumerated() {
                let e = try entry(element, "\(key)[\(i)]", doc)
                if !extra.contains(where: { $0.content.unicodeScalars.elementsEqual(e.content.unicodeScalars) }) {
                    extra.append(e)
                }
            }
        }
    }

    private func entry(_ value: JSONValue, _ field: String, _ doc: JSONDocument) throws -> Entry {
        if case let .string(s) = value { return Entry(content: s, isPlainString: true, path: doc.path) }
        guard case .object = value else { throw doc.malformed(field, "expected a string or an object, found \(value.kindName)") }
        var e = Entry(content: try doc.string(value["content"], "\(field).content"), path: doc.path)
        e.singleWord = try doc.optionalBool(value, "single_word", field: field, default: false)
        e.lstrip = try doc.optionalBool(value, "lstrip", field: field, default: false)
        e.rstrip = try doc.optionalBool(value, "rstrip", field: field, default: false)
        if let n = value["normalized"], n != .null { e.normalized = try doc.bool(n, "\(field).normalized") }
        return e
    }
}
