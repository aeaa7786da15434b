// Writes a model folder that Hugging Face transformers (AutoModel) and sentence-transformers
// (SentenceTransformer) load unchanged: config.json, model.safetensors, the tokenizer files, and
// modules.json + 1_Pooling/config.json + sentence_bert_config.json. The folder is staged under a
// temporary name and renamed into place, so a failed run never leaves half a model.

import FileIO
import Foundation
import SafeTensors

extension Checkpoint {
    /// Tokenizer files copied from the source folder when present.
    static let tokenizerFiles = [
        "tokenizer.json", "vocab.txt", "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json",
        "merges.txt", "vocab.json", "sentencepiece.bpe.model", "spiece.model",
    ]

    /// Saves the current weights to `url` (replacing a folder already there, atomically).
    /// `extra` files (name → bytes) are written into the folder too (e.g. a training log).
    /// `more(folder)` may write further files into the staged folder last, just before it is
    /// renamed into place.
    public func save(to url: URL, pooling: Pooling, maxLength: Int, extra: [String: Data] = [:],
                     _ more: (AtomicDirectory) throws -> Void = { _ in }) throws {
        let folder = try AtomicDirectory(destination: url)
        defer { folder.discard() }
        try writeContents(into: folder, pooling: pooling, maxLength: maxLength)
        for (name, data) in extra.sorted(by: { $0.key < $1.key }) { try AtomicFile.write(data, to: folder.file(name)) }
        try more(folder)
        try folder.commit()
    }

    func writeContents(into folder: AtomicDirectory, pooling: Pooling, maxLength: Int) throws {
        try AtomicFile.write(configJSON, to: folder.file("config.json"))
        let layout = encoder.layout
        let tensors = layout.entries.map { e in
            (name: e.name, shape: e.shape,
             data: UnsafeBufferPointer(start: UnsafePointer(encoder.parameters.pointer + e.offset), count: e.count))
        }
        try SafeTensorsWriter.write(tensors, metadata: ["format": "pt"], to: folder.file("model.safetensors"))
        for name in Self.tokenizerFiles {
            let src = directory.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: src.path) else { continue }
            try AtomicFile.write(try Data(contentsOf: src), to: folder.file(name))
        }
        try SentenceTransformersFiles.write(into: folder, hiddenSize: config.hiddenSize, pooling: pooling,
                                            maxLength: maxLength)
    }
}

/// The sentence-transformers module description of Transformer → Pooling.
enum SentenceTransformersFiles {
    static func write(into folder: AtomicDirectory, hiddenSize: Int, pooling: Pooling, maxLength: Int) throws {
        let modules = """
        [
          {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
          {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}
        ]

        """
        try AtomicFile.write(Data(modules.utf8), to: folder.file("modules.json"))
        // sentence-transformers has no "mean including padding": its mean is the masked mean.
        let poolingConfig = """
        {
          "word_embedding_dimension": \(hiddenSize),
          "pooling_mode_cls_token": \(pooling == .cls),
          "pooling_mode_mean_tokens": \(pooling != .cls),
          "pooling_mode_max_tokens": false,
          "pooling_mode_mean_sqrt_len_tokens": false
        }

        """
        let poolingDir = folder.file("1_Pooling")
        do {
            try FileManager.default.createDirectory(at: poolingDir, withIntermediateDirectories: true)
        } catch {
            throw FileIOError.cannotWrite(path: poolingDir.path, reason: error.localizedDescription)
        }
        try AtomicFile.write(Data(poolingConfig.utf8), to: poolingDir.appendingPathComponent("config.json"))
        let sbert = "{\n  \"max_seq_length\": \(maxLength),\n  \"do_lower_case\": false\n}\n"
        try AtomicFile.write(Data(sbert.utf8), to: folder.file("sentence_bert_config.json"))
    }
}
