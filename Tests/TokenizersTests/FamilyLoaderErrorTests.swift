// Loading errors of the family components: each a typed TokenizerError naming the file and field.

import Foundation
import Testing
import TestSupport
import Tokenizers

/// A tokenizer.json with the given model and pipeline sections.
private func document(model: String, normalizer: String = "null", preTokenizer: String = "null",
                      postProcessor: String = "null") -> String {
    #"{"version": "1.0", "added_tokens": [], "normalizer": "# + normalizer + #", "pre_tokenizer": "# + preTokenizer
        + #", "post_processor": "# + postProcessor + #", "decoder": null, "model": "# + model + "}"
}

private let bpeModel = #"{"type": "BPE", "unk_token": "<unk>", "vocab": {"<unk>": 0, "<pad>": 1, "<mask>": 2, "a": 3, "b": 4, "ab": 5}, "merges": [["a", "b"]]}"#
private let unigramModel = #"{"type": "Unigram", "unk_id": 0, "vocab": [["<unk>", 0.0], ["<pad>", 0.0], ["<mask>", 0.0], ["a", -1.0]]}"#

/// The error loading tokenizer.json `json` (plus `extra` files) in a temporary folder.
private func error(_ json: String, extra: [String: String] = [:]) throws -> TokenizerError {
    var files = extra
    if !json.isEmpty { files["tokenizer.json"] = json }
    let dir = try temporaryFolder(files)
    defer { try? FileManager.default.removeItem(at: dir) }
    do {
        _ = try TokenizerLoader.load(from: dir)
    } catch let e as TokenizerError {
        return e
    }
    Issue.record("loading succeeded unexpectedly")
    throw CancellationError()
}

struct FamilyLoaderErrorTests {
    @Test func validDocumentsLoad() throws {
        for model in [bpeModel, unigramModel] {
            let dir = try temporaryFolder(["tokenizer.json": document(model: model)])
            defer { try? FileManager.default.removeItem(at: dir) }
            _ = try TokenizerLoader.load(from: dir)
        }
    }

    @Test func bpeProblems() throws {
        var e = try error(document(model: bpeModel.replacingOccurrences(of: #"[["a", "b"]]"#, with: #"[["a", "c"]]"#)))
        #expect(e.description.contains("tokenizer.json") && e.description.contains("model.merges") && e.description.contains("\"c\""))
        e = try error(document(model: bpeModel.replacingOccurrences(of: #"[["a", "b"]]"#, with: #"["a b c"]"#)))
        #expect(e.description.contains("model.merges[0]") && e.description.contains("a b c"))
        e = try error(document(model: bpeModel.replacingOccurrences(of: #"[["a", "b"]]"#, with: #"[["a"]]"#)))
        #expect(e.description.contains("model.merges[0]"))
        e = try error(document(model: bpeModel.replacingOccurrences(of: #", "merges": [["a", "b"]]"#, with: "")))
        #expect(e.description.contains("model.merges") && e.description.contains("expected an array"))
        e = try error(document(model: bpeModel.replacingOccurrences(of: #""unk_token": "<unk>""#, with: #""unk_token": "<u>""#)))
        guard case .missingSpecialToken = e else { Issue.record("got \(e)"); return }
        e = try error(document(model: bpeModel.replacingOccurrences(of: #""type": "BPE","#, with: #""type": "BPE", "dropout": 0.1,"#)))
        guard case let .unsupported(path, field, _) = e else { Issue.record("got \(e)"); return }
        #expect(path.hasSuffix("tokenizer.json") && field == "model.dropout")
    }

    @Test func unigramProblems() throws {
        var e = try error(document(model: unigramModel.replacingOccurrences(of: #""unk_id": 0"#, with: #""unk_id": 9"#)))
        #expect(e.description.contains("tokenizer.json") && e.description.contains("model.unk_id"))
        e = try error(document(model: unigramModel.replacingOccurrences(of: #""unk_id": 0"#, with: #""unk_id": null"#)))
        guard case .unsupported = e else { Issue.record("got \(e)"); return }
        e = try error(document(model: unigramModel.replacingOccurrences(of: #"["a", -1.0]"#, with: #"["a", "x"]"#)))
        #expect(e.description.contains("model.vocab[3][1]"))
        e = try error(document(model: unigramModel.replacingOccurrences(of: #"["a", -1.0]"#, with: #"["a"]"#)))
        #expect(e.description.contains("model.vocab[3]") && e.description.contains("[piece, score]"))
    }

    @Test func normalizerProblems() throws {
        var e = try error(document(model: unigramModel, normalizer: #"{"type": "Precompiled", "precompiled_charsmap": "@@@"}"#))
        #expect(e.description.contains("tokenizer.json") && e.description.contains("normalizer.precompiled_charsmap")
                && e.description.contains("base64"))
        e = try error(document(model: unigramModel, normalizer: #"{"type": "Precompiled", "precompiled_charsmap": "AQID"}"#))
        #expect(e.description.contains("normalizer.precompiled_charsmap") && e.description.contains("trie size"))
        e = try error(document(model: unigramModel, normalizer:
            #"{"type": "Sequence", "normalizers": [{"type": "NFKC"}, {"type": "Replace", "pattern": {"Regex": "(a|b)+"}, "content": ""}]}"#))
        guard case let .unsupported(_, field, what) = e else { Issue.record("got \(e)"); return }
        #expect(field == "normalizer.normalizers[1].pattern.Regex" && what.contains("(a|b)+"))
        e = try error(document(model: unigramModel, normalizer: #"{"type": "Replace", "pattern": {"Glob": "*"}, "content": ""}"#))
        #expect(e.description.contains("normalizer.pattern"))
        e = try error(document(model: unigramModel, normalizer: #"{"type": "Replace", "pattern": {"String": ""}, "content": "x"}"#))
        #expect(e.description.contains("normalizer.pattern.String") && e.description.contains("empty pattern"))
        e = try error(document(model: unigramModel, normalizer: #"{"type": "Strip", "strip_left": true}"#))
        #expect(e.description.contains("normalizer.strip_right"))
    }

    @Test func preTokenizerProblems() throws {
        var e = try error(document(model: unigramModel, preTokenizer: #"{"type": "Metaspace", "replacement": "ab", "prepend_scheme": "always"}"#))
        #expect(e.description.contains("pre_tokenizer.replacement"))
        e = try error(document(model: unigramModel, preTokenizer: #"{"type": "Metaspace", "replacement": "_", "prepend_scheme": "sometimes"}"#))
        #expect(e.description.contains("pre_tokenizer.prepend_scheme") && e.description.contains("sometimes"))
        e = try error(document(model: unigramModel, preTokenizer: #"{"type": "Metaspace", "replacement": "_", "add_prefix_space": false}"#))
        #expect(e.description.contains("pre_tokenizer.add_prefix_space"))
        e = try error(document(model: bpeModel, preTokenizer:
            #"{"type": "Sequence", "pretokenizers": [{"type": "Split", "pattern": {"Regex": "\\d+"}, "behavior": "Isolated", "invert": false}]}"#))
        guard case let .unsupported(_, field, _) = e else { Issue.record("got \(e)"); return }
        #expect(field == "pre_tokenizer.pretokenizers[0].pattern.Regex")
        e = try error(document(model: bpeModel, preTokenizer: #"{"type": "Split", "pattern": {"String": "-"}, "behavior": "Sideways"}"#))
        #expect(e.description.contains("pre_tokenizer.behavior") && e.description.contains("Sideways"))
        e = try error(document(model: bpeModel, preTokenizer: #"{"type": "ByteLevel", "add_prefix_space": "yes"}"#))
        #expect(e.description.contains("pre_tokenizer.add_prefix_space"))
        e = try error(document(model: bpeModel, preTokenizer: #"{"type": "Digits"}"#))
        #expect(e.description.contains("\"Digits\"") && e.description.contains("not supported yet"))
    }

    @Test func postProcessorProblems() throws {
        var e = try error(document(model: bpeModel, postProcessor: #"{"type": "RobertaProcessing", "sep": ["</s>"], "cls": ["<s>", 0]}"#))
        #expect(e.description.contains("post_processor.sep"))
        e = try error(document(model: bpeModel, postProcessor: #"{"type": "Sequence", "processors": [{"type": "ByteLevel", "offsets": 1}]}"#))
        #expect(e.description.contains("post_processor.processors[0].offsets"))
    }

    @Test func vocabJSONFallbackProblems() throws {
        let vocab = #"{"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3, "a": 4, "b": 5, "ab": 6}"#
        var e = try error("", extra: ["vocab.json": vocab])
        #expect(e.description.contains("merges.txt") && e.description.contains("missing"))
        e = try error("", extra: ["vocab.json": vocab, "merges.txt": "#version: 0.2\na b\na b c\n"])
        guard case let .malformed(path, field, _) = e else { Issue.record("got \(e)"); return }
        #expect(path.hasSuffix("merges.txt") && field == "merge 2")
        e = try error("", extra: ["vocab.json": vocab, "merges.txt": "a x\n"])
        #expect(e.description.contains("merges.txt") && e.description.contains("\"x\""))
        e = try error("", extra: ["vocab.json": #"{"a": "zero"}"#, "merges.txt": ""])
        #expect(e.description.contains("vocab.json"))
        e = try error("", extra: ["vocab.json": vocab, "merges.txt": "a b\n",
                                  "tokenizer_config.json": #"{"tokenizer_class": "GPT2Tokenizer"}"#])
        guard case let .unsupported(configPath, _, what) = e else { Issue.record("got \(e)"); return }
        #expect(configPath.hasSuffix("tokenizer_config.json") && what.contains("GPT2Tokenizer"))
    }
}
