// Writes a model folder that Hugging Face transformers (AutoModel) and sentence-transformers
// (SentenceTransformer) load unchanged: config.json, model.safetensors, the tokenizer files, and
// modules.json + 1_Pooling/config.json + sentence_bert_config.json (see FolderSettings.swift). The folder is staged under a
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

    /// Saves the current weights to `url` (replacing a folder already there, atomically), declaring
    /// `pooling` in its sentence-transformers files and keeping this folder's normalization and
    /// max_seq_length. `extra` files (name → bytes) are written into the folder too (e.g. a
    /// training log). `more(folder)` may write further files into the staged folder last, just
    /// before it is renamed into place.
    public func save(to url: URL, pooling: Pooling, extra: [String: Data] = [:],
                     _ more: (AtomicDirectory) throws -> Void = { _ in }) throws {
        let folder = try AtomicDirectory(destination: url)
        defer { folder.discard() }
        try writeContents(into: folder, pooling: pooling)
        for (name, data) in extra.sorted(by: { $0.key < $1.key }) { try AtomicFile.write(data, to: folder.file(name)) }
        try more(folder)
        try folder.commit()
    }

    func writeContents(into folder: AtomicDirectory, pooling: Pooling) throws {
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
        var declared = settings
        declared.pooling = pooling
        try declared.write(into: folder, hiddenSize: config.hiddenSize)
    }
}
