// tokenizer.json `model`: WordPiece, BPE and Unigram, with HF's field defaults.

import JSON

extension ComponentFactory {
    static func makeModel(_ value: JSONValue, _ doc: JSONDocument) throws -> any TokenizationModel {
        let field = "model"
        _ = try doc.object(value, field)
        switch try doc.string(value["type"], "\(field).type") {
        case "WordPiece":
            try doc.checkKeys(value, field, allowed: ["type", "unk_token", "continuing_subword_prefix",
                                                      "max_input_chars_per_word", "vocab"])
            let entries = try vocabularyObject(value["vocab"], doc, field: "\(field).vocab")
            let unk = try value["unk_token"].map { try doc.string($0, "\(field).unk_token") } ?? "[UNK]"
            let prefix = try value["continuing_subword_prefix"].map { try doc.string($0, "\(field).continuing_subword_prefix") } ?? "##"
            let maxChars = try value["max_input_chars_per_word"].map { try doc.int($0, "\(field).max_input_chars_per_word") } ?? 100
            guard maxChars >= 0 else { throw doc.malformed("\(field).max_input_chars_per_word", "must not be negative") }
            guard let model = WordPiece(vocabulary: entries, unknownToken: unk, continuingSubwordPrefix: prefix,
                                        maxInputCharsPerWord: maxChars) else {
                throw TokenizerError.missingSpecialToken(path: doc.path, role: "unknown",
                                                         detail: "model.unk_token \"\(unk)\" is not in model.vocab")
            }
            return model
        case "BPE":
            try doc.checkKeys(value, field, allowed: ["type", "dropout", "unk_token", "continuing_subword_prefix",
                                                      "end_of_word_suffix", "fuse_unk", "byte_fallback",
                                                      "ignore_merges", "vocab", "merges"])
            if let d = value["dropout"], d != .null {
                guard case let .number(n) = d else { throw doc.malformed("\(field).dropout", "expected a number") }
                let p = n.double
                guard p == 0 else {
                    throw TokenizerError.unsupported(path: doc.path, field: "\(field).dropout", what: "BPE dropout \(p) (random)")
                }
            }
            let entries = try vocabularyObject(value["vocab"], doc, field: "\(field).vocab")
            let merges = try mergeList(value["merges"], doc, field: "\(field).merges")
            func optionalString(_ key: String) throws -> String? {
                guard let v = value[key], v != .null else { return nil }
                return try doc.string(v, "\(field).\(key)")
            }
            return try makeBPE(entries: entries, merges: merges, unknownToken: try optionalString("unk_token"),
                               prefix: try optionalString("continuing_subword_prefix"),
                               suffix: try optionalString("end_of_word_suffix"),
                               fuseUnknown: try doc.optionalBool(value, "fuse_unk", field: field, default: false),
                               byteFallback: try doc.optionalBool(value, "byte_fallback", field: field, default: false),
                               ignoreMerges: try doc.optionalBool(value, "ignore_merges", field: field, default: false),
                               path: doc.path, field: field)
        case "Unigram":
            try doc.checkKeys(value, field, allowed: ["type", "unk_id", "vocab", "byte_fallback"])
            var pieces: [(String, Double)] = []
            for (i, item) in try doc.array(value["vocab"], "\(field).vocab").enumerated() {
                let f = "\(field).vocab[\(i)]"
                let pair = try doc.array(item, f)
                guard pair.count == 2 else { throw doc.malformed(f, "expected [piece, score]") }
                guard case let .number(n) = pair[1] else { throw doc.malformed("\(f)[1]", "expected a number") }
                let score = n.double
                pieces.append((try doc.string(pair[0], "\(f)[0]"), score))
            }
            guard let unk = value["unk_id"], unk != .null else {
                throw TokenizerError.unsupported(path: doc.path, field: "\(field).unk_id",
                                                 what: "a Unigram model without unk_id (HF fails on any text it cannot cover)")
            }
            let unkId = try doc.int(unk, "\(field).unk_id")
            guard !pieces.isEmpty else { throw doc.malformed("\(field).vocab", "empty vocabulary") }
            guard unkId >= 0, unkId < pieces.count else {
                throw doc.malformed("\(field).unk_id", "\(unkId) is not an index of model.vocab (\(pieces.count) pieces)")
            }
            return Unigram(pieces: pieces, unknownId: unkId,
                           byteFallback: try doc.optionalBool(value, "byte_fallback", field: field, default: false))
        case let other:
            throw TokenizerError.unsupported(path: doc.path, field: "\(field).type", what: "the model type \"\(other)\"")
        }
    }

    /// `{"token": id, …}` in file order.
    static func vocabularyObject(_ value: JSONValue?, _ doc: JSONDocument, field: String) throws -> [(String, Int32)] {
        var entries: [(String, Int32)] = []
        for (token, id) in try doc.object(value, field) {
            entries.append((token, try doc.tokenId(id, "\(field)[\"\(token)\"]")))
        }
        return entries
    }

    /// Merges as ["a b", …] (the older format: "#version" lines skipped, each line exactly two
    /// parts split on U+0020) or [["a", "b"], …].
    static func mergeList(_ value: JSONValue?, _ doc: JSONDocument, field: String) throws -> [(String, String)] {
        var merges: [(String, String)] = []
        for (i, item) in try doc.array(value, field).enumerated() {
            let f = "\(field)[\(i)]"
            switch item {
            case let .string(line):
                if line.unicodeScalars.starts(with: "#version".unicodeScalars) { continue }
                guard let pair = RobertaVocabularyLoader.splitMerge(line) else {
                    throw doc.malformed(f, "expected \"left right\", found \"\(line)\"")
                }
                merges.append(pair)
            case let .array(pair):
                guard pair.count == 2 else { throw doc.malformed(f, "expected [left, right]") }
                merges.append((try doc.string(pair[0], "\(f)[0]"), try doc.string(pair[1], "\(f)[1]")))
            default:
                throw doc.malformed(f, "expected a string or a pair of strings, found \(item.kindName)")
            }
        }
        return merges
    }

    /// Builds a BPE model, reporting vocabulary problems against `path`.
    static func makeBPE(entries: [(String, Int32)], merges: [(String, String)], unknownToken: String?, prefix: String?,
                        suffix: String?, fuseUnknown: Bool, byteFallback: Bool, ignoreMerges: Bool, path: String,
                        field: String) throws -> BPE {
        do {
            return try BPE(vocabulary: entries, merges: merges, unknownToken: unknownToken,
                           continuingSubwordPrefix: prefix, endOfWordSuffix: suffix, fuseUnknown: fuseUnknown,
                           byteFallback: byteFallback, ignoreMerges: ignoreMerges)
        } catch BPE.BuildError.mergeTokenMissing(let token) {
            throw TokenizerError.malformed(path: path, field: "\(field).merges",
                                           problem: "the merge token \"\(token)\" is not in the vocabulary")
        } catch BPE.BuildError.unknownTokenMissing(let token) {
            throw TokenizerError.missingSpecialToken(path: path, role: "unknown",
                                                     detail: "unk_token \"\(token)\" is not in the vocabulary")
        }
    }
}
