// Entry point: load the tokenizer of a checkpoint folder.

import JSON
import Foundation

public enum TokenizerLoader {
    /// From a checkpoint folder: tokenizer.json if present, else vocab.json + merges.txt (RoBERTa's
    /// byte-level BPE), else vocab.txt (BERT's WordPiece), each with tokenizer_config.json
    /// (+ special_tokens_map.json). Throws `TokenizerError` naming the file for anything missing,
    /// malformed or unsupported.
    public static func load(from directory: URL) throws -> any Tokenizer {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw TokenizerError.folderNotFound(path: directory.path)
        }
        let sideFiles = try SpecialTokensConfig.read(from: directory)
        let json = directory.appendingPathComponent("tokenizer.json")
        if FileManager.default.fileExists(atPath: json.path) {
            return try TokenizerJSONLoader.load(json, sideFiles: sideFiles)
        }
        let vocabJSON = directory.appendingPathComponent("vocab.json")
        let merges = directory.appendingPathComponent("merges.txt")
        if FileManager.default.fileExists(atPath: vocabJSON.path) || FileManager.default.fileExists(atPath: merges.path) {
            return try RobertaVocabularyLoader.load(vocabulary: vocabJSON, merges: merges, sideFiles: sideFiles)
        }
        let vocab = directory.appendingPathComponent("vocab.txt")
        if FileManager.default.fileExists(atPath: vocab.path) {
            return try BertVocabularyLoader.load(vocabulary: vocab, sideFiles: sideFiles)
        }
        throw TokenizerError.noTokenizerFiles(folder: directory.path)
    }

    /// Loads tokenizer.json alone (no side files: pad and mask fall back to [PAD] and [MASK]).
    public static func load(tokenizerJSON url: URL) throws -> any Tokenizer {
        try TokenizerJSONLoader.load(url, sideFiles: SpecialTokensConfig())
    }

    /// Parses tokenizer.json bytes held in memory (no side files); `path` names them in errors.
    public static func load(tokenizerJSON data: Data, path: String) throws -> any Tokenizer {
        try TokenizerJSONLoader.load(try JSONDocument.parse(data, path: path), sideFiles: SpecialTokensConfig())
    }
}
