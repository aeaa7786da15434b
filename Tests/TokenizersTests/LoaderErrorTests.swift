// Every loading failure is a typed TokenizerError whose description names the file at fault.

import Foundation
import Testing
import TestSupport
import Tokenizers

/// A minimal valid tokenizer.json with `model` replaced.
private func tokenizerJSON(model: String = #"{"type": "WordPiece", "unk_token": "[UNK]", "vocab": {"[UNK]": 0, "[PAD]": 1, "[MASK]": 2, "a": 3}}"#,
                           extra: String = "") -> String {
    #"{"version": "1.0", "added_tokens": [], "normalizer": null, "pre_tokenizer": null, "post_processor": null, "decoder": null, "model": "# + model + extra + "}"
}

/// The error loading a temporary folder with `files` gives (the folder is removed afterwards;
/// its URL is returned for comparing paths).
private func loadError(_ files: [String: String]) throws -> (TokenizerError, URL) {
    let dir = try temporaryFolder(files)
    defer { try? FileManager.default.removeItem(at: dir) }
    do {
        _ = try TokenizerLoader.load(from: dir)
    } catch let error as TokenizerError {
        return (error, dir)
    }
    Issue.record("loading succeeded unexpectedly")
    throw CancellationError()
}

struct LoaderErrorTests {
    @Test func missingFolder() {
        let dir = URL(fileURLWithPath: "/nonexistent/tokenizer-folder")
        #expect(throws: TokenizerError.folderNotFound(path: dir.path)) { try TokenizerLoader.load(from: dir) }
        let message = "\(TokenizerError.folderNotFound(path: dir.path))"
        #expect(message.contains("/nonexistent/tokenizer-folder"))
    }

    @Test func folderWithoutTokenizerFiles() throws {
        let (error, dir) = try loadError(["config.json": "{}"])
        guard case .noTokenizerFiles = error else { Issue.record("got \(error)"); return }
        #expect(error.description.contains(dir.path) && error.description.contains("vocab.txt")
                && error.description.contains("tokenizer.json"))
    }

    @Test func vocabTxtMissingWithConfigPresent() throws {
        let (error, _) = try loadError(["tokenizer_config.json": #"{"do_lower_case": true}"#])
        #expect(error.description.contains("vocab.txt"))
    }

    @Test func invalidJSON() throws {
        let (error, dir) = try loadError(["tokenizer.json": "{\"model\": {\n  \"type\": WordPiece}"])
        guard case let .invalidJSON(path, detail) = error else { Issue.record("got \(error)"); return }
        #expect(path == dir.appendingPathComponent("tokenizer.json").path)
        #expect(detail.contains("line 2"))
        #expect(error.description.contains("tokenizer.json"))
    }

    @Test func emptyFileIsInvalidJSON() throws {
        let (error, _) = try loadError(["tokenizer.json": ""])
        guard case .invalidJSON = error else { Issue.record("got \(error)"); return }
    }

    @Test(arguments: ["WordLevel", "WordPieceX"])
    func unsupportedModelType(type: String) throws {
        let (error, _) = try loadError(["tokenizer.json": tokenizerJSON(model: #"{"type": "\#(type)", "vocab": {}}"#)])
        guard case let .unsupported(path, field, _) = error else { Issue.record("got \(error)"); return }
        #expect(path.hasSuffix("tokenizer.json") && field == "model.type")
        #expect(error.description.contains("\"\(type)\"") && error.description.contains("not supported yet"))
    }

    @Test func unsupportedNormalizerAndUnknownField() throws {
        var (error, _) = try loadError(["tokenizer.json": tokenizerJSON().replacingOccurrences(
            of: #""normalizer": null"#, with: #""normalizer": {"type": "StripAccents"}"#)])
        #expect(error.description.contains("tokenizer.json") && error.description.contains("StripAccents"))
        (error, _) = try loadError(["tokenizer.json": tokenizerJSON(model:
            #"{"type": "WordPiece", "unk_token": "[UNK]", "dropout": 0.1, "vocab": {"[UNK]": 0}}"#)])
        guard case let .unsupported(_, field, _) = error else { Issue.record("got \(error)"); return }
        #expect(field == "model.dropout")
    }

    @Test func malformedVocabulary() throws {
        var (error, _) = try loadError(["tokenizer.json": tokenizerJSON(model: #"{"type": "WordPiece", "vocab": {"[UNK]": -1}}"#)])
        #expect(error.description.contains("tokenizer.json") && error.description.contains("model.vocab"))
        (error, _) = try loadError(["tokenizer.json": tokenizerJSON(model: #"{"type": "WordPiece", "vocab": ["a"]}"#)])
        #expect(error.description.contains("model.vocab") && error.description.contains("expected an object"))
        (error, _) = try loadError(["tokenizer.json": tokenizerJSON(model: #"{"type": "WordPiece", "unk_token": "<unk>", "vocab": {"a": 0}}"#)])
        guard case .missingSpecialToken = error else { Issue.record("got \(error)"); return }
        #expect(error.description.contains("<unk>"))
    }

    @Test func missingPadToken() throws {
        let (error, _) = try loadError(["tokenizer.json": tokenizerJSON(model:
            #"{"type": "WordPiece", "unk_token": "[UNK]", "vocab": {"[UNK]": 0, "[MASK]": 1}}"#)])
        guard case let .missingSpecialToken(path, role, _) = error else { Issue.record("got \(error)"); return }
        #expect(path.hasSuffix("tokenizer.json") && role == "pad")
    }

    @Test func padTokenNamedInConfigMustExist() throws {
        let (error, _) = try loadError(["tokenizer.json": tokenizerJSON(),
                                        "special_tokens_map.json": #"{"pad_token": "<pad>"}"#])
        guard case let .missingSpecialToken(path, _, detail) = error else { Issue.record("got \(error)"); return }
        #expect(path.hasSuffix("special_tokens_map.json") && detail.contains("<pad>"))
    }

    @Test func malformedSideFile() throws {
        let (error, _) = try loadError(["tokenizer.json": tokenizerJSON(), "tokenizer_config.json": "[1, 2"])
        guard case let .invalidJSON(path, _) = error else { Issue.record("got \(error)"); return }
        #expect(path.hasSuffix("tokenizer_config.json"))
    }

    @Test func invalidUTF8VocabTxt() throws {
        let dir = try temporaryFolder([:])
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data([0x5B, 0x55, 0x4E, 0x4B, 0x5D, 0x0A, 0xFF, 0xFE, 0x0A]).write(to: dir.appendingPathComponent("vocab.txt"))
        #expect {
            try TokenizerLoader.load(from: dir)
        } throws: { error in
            "\(error)".contains("vocab.txt")
        }
    }

    @Test func vocabTxtWithoutUnknownToken() throws {
        let (error, _) = try loadError(["vocab.txt": "[PAD]\n[CLS]\n[SEP]\n[MASK]\nhello\n"])
        guard case let .missingSpecialToken(path, _, _) = error else { Issue.record("got \(error)"); return }
        #expect(path.hasSuffix("vocab.txt"))
    }

    @Test func unsupportedTokenizerClassForVocabTxt() throws {
        let (error, _) = try loadError(["vocab.txt": "[UNK]\n", "tokenizer_config.json": #"{"tokenizer_class": "XLNetTokenizer"}"#])
        guard case let .unsupported(path, _, what) = error else { Issue.record("got \(error)"); return }
        #expect(path.hasSuffix("tokenizer_config.json") && what.contains("XLNetTokenizer"))
    }
}
