// Builds each pipeline stage from its tokenizer.json object by switching on the "type" field
// (models in ComponentFactory+Models.swift; SentencePiece / byte-level normalizers and
// pre-tokenizers in ComponentFactory+Text.swift). To add a component: implement its protocol and
// add a case. An unknown type, or an unknown field of a known type, is an `unsupported` error —
// never a silent default.

import JSON

enum ComponentFactory {
    // MARK: - Normalizer

    static func makeNormalizer(_ value: JSONValue, _ doc: JSONDocument, field: String = "normalizer") throws
        -> (any Normalizer)? {
        if value == .null { return nil }
        switch try doc.string(value["type"], "\(field).type") {
        case "BertNormalizer":
            try doc.checkKeys(value, field, allowed: ["type", "clean_text", "handle_chinese_chars", "strip_accents", "lowercase"])
            var stripAccents: Bool?
            if let v = value["strip_accents"], v != .null { stripAccents = try doc.bool(v, "\(field).strip_accents") }
            return BertNormalizer(
                cleanText: try doc.optionalBool(value, "clean_text", field: field, default: true),
                handleChineseCharacters: try doc.optionalBool(value, "handle_chinese_chars", field: field, default: true),
                stripAccents: stripAccents,
                lowercase: try doc.optionalBool(value, "lowercase", field: field, default: true))
        default:
            return try makeTextNormalizer(value, doc, field: field)
        }
    }

    // MARK: - Pre-tokenizer

    static func makePreTokenizer(_ value: JSONValue, _ doc: JSONDocument, field: String = "pre_tokenizer") throws
        -> (any PreTokenizer)? {
        if value == .null { return nil }
        switch try doc.string(value["type"], "\(field).type") {
        case "BertPreTokenizer":
            try doc.checkKeys(value, field, allowed: ["type"])
            return BertPreTokenizer()
        default:
            return try makeSentencePreTokenizer(value, doc, field: field)
        }
    }

    // MARK: - Post-processor

    static func makePostProcessor(_ value: JSONValue, _ doc: JSONDocument, field: String = "post_processor") throws
        -> (any PostProcessor)? {
        if value == .null { return nil }
        switch try doc.string(value["type"], "\(field).type") {
        case "TemplateProcessing":
            try doc.checkKeys(value, field, allowed: ["type", "single", "pair", "special_tokens"])
            return try makeTemplate(value, doc, field: field)
        case "BertProcessing", "RobertaProcessing":
            let roberta = try doc.string(value["type"], "\(field).type") == "RobertaProcessing"
            try doc.checkKeys(value, field, allowed: roberta ? ["type", "sep", "cls", "trim_offsets", "add_prefix_space"]
                                                             : ["type", "sep", "cls"])
            func pair(_ key: String) throws -> (String, Int32) {
                let a = try doc.array(value[key], "\(field).\(key)")
                guard a.count == 2 else { throw doc.malformed("\(field).\(key)", "expected [token, id]") }
                return (try doc.string(a[0], "\(field).\(key)[0]"), try doc.tokenId(a[1], "\(field).\(key)[1]"))
            }
            if roberta {
                _ = try doc.optionalBool(value, "trim_offsets", field: field, default: true)
                _ = try doc.optionalBool(value, "add_prefix_space", field: field, default: true)
                return RobertaProcessing(cls: try pair("cls"), sep: try pair("sep"))
            }
            return BertProcessing(cls: try pair("cls"), sep: try pair("sep"))
        case "ByteLevel":
            // Only trims offsets: nothing to do for ids.
            try doc.checkKeys(value, field, allowed: ["type", "add_prefix_space", "trim_offsets", "use_regex"])
            return SequenceProcessor([])
        case "Sequence":
            try doc.checkKeys(value, field, allowed: ["type", "processors"])
            var steps: [any PostProcessor] = []
            for (i, item) in try doc.array(value["processors"], "\(field).processors").enumerated() {
                guard let step = try makePostProcessor(item, doc, field: "\(field).processors[\(i)]") else { continue }
                if let s = step as? SequenceProcessor, s.steps.isEmpty { continue }
                steps.append(step)
            }
            return SequenceProcessor(steps)
        case let other:
            throw TokenizerError.unsupported(path: doc.path, field: "\(field).type", what: "the post-processor \"\(other)\"")
        }
    }

    private static func makeTemplate(_ value: JSONValue, _ doc: JSONDocument, field: String) throws -> TemplateProcessing {
        var specials: [(name: String, ids: [Int32], tokens: [String])] = []
        for (name, entry) in try doc.object(value["special_tokens"], "\(field).special_tokens") {
            let f = "\(field).special_tokens[\"\(name)\"]"
            let ids = try doc.array(entry["ids"], "\(f).ids").enumerated().map { try doc.tokenId($1, "\(f).ids[\($0)]") }
            let tokens = try doc.array(entry["tokens"], "\(f).tokens").enumerated().map { try doc.string($1, "\(f).tokens[\($0)]") }
            guard ids.count == tokens.count else { throw doc.malformed(f, "ids and tokens differ in length") }
            specials.append((name, ids, tokens))
        }
        var pieces: [TemplateProcessing.Piece] = []
        for (i, item) in try doc.array(value["single"], "\(field).single").enumerated() {
            let f = "\(field).single[\(i)]"
            if let special = item["SpecialToken"] {
                let name = try doc.string(special["id"], "\(f).SpecialToken.id")
                let typeId = try doc.typeId(special["type_id"], "\(f).SpecialToken.type_id")
                guard let entry = specials.last(where: { $0.name.unicodeScalars.elementsEqual(name.unicodeScalars) }) else {
                    throw doc.malformed(f, "special token \"\(name)\" is not in post_processor.special_tokens")
                }
                pieces.append(.special(name: name, ids: entry.ids, tokens: entry.tokens, typeId: typeId))
            } else if let sequence = item["Sequence"] {
                let id = try doc.string(sequence["id"], "\(f).Sequence.id")
                guard id == "A" else { throw doc.malformed(f, "the single template can only use sequence A, not \(id)") }
                pieces.append(.sequence(typeId: try doc.typeId(sequence["type_id"], "\(f).Sequence.type_id")))
            } else {
                throw doc.malformed(f, "expected {\"SpecialToken\": …} or {\"Sequence\": …}")
            }
        }
        guard pieces.filter({ if case .sequence = $0 { return true } else { return false } }).count == 1 else {
            throw doc.malformed("\(field).single", "must contain sequence $A exactly once")
        }
        return TemplateProcessing(single: pieces)
    }

    // MARK: - Added tokens

    /// tokenizer.json `added_tokens`. As HF does on load, a token whose content is in the model
    /// vocabulary takes the model's id.
    static func makeAddedTokens(_ value: JSONValue?, _ doc: JSONDocument, model: any TokenizationModel) throws -> [AddedToken] {
        guard let value, value != .null else { return [] }
        var tokens: [AddedToken] = []
        for (i, item) in try doc.array(value, "added_tokens").enumerated() {
            let f = "added_tokens[\(i)]"
            try doc.checkKeys(item, f, allowed: ["id", "content", "single_word", "lstrip", "rstrip", "normalized", "special"])
            let content = try doc.string(item["content"], "\(f).content")
            let special = try doc.optionalBool(item, "special", field: f, default: false)
            let jsonId = try doc.tokenId(item["id"], "\(f).id")
            tokens.append(AddedToken(
                id: model.id(of: content) ?? jsonId, content: content,
                singleWord: try doc.optionalBool(item, "single_word", field: f, default: false),
                lstrip: try doc.optionalBool(item, "lstrip", field: f, default: false),
                rstrip: try doc.optionalBool(item, "rstrip", field: f, default: false),
                normalized: try doc.optionalBool(item, "normalized", field: f, default: !special),
                special: special))
        }
        return tokens
    }
}
