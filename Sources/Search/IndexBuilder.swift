// Embedding texts into a new index, or onto an existing one, with an Embedder whose options match.

import Foundation
import Kernels
import Models

public enum IndexBuilder {
    /// Embeds `texts` with `embedder` (which must normalize) into a new index made by `model`.
    public static func build(_ texts: [String], embedder: Embedder, model: ModelIdentity,
                             progress: ((Int, Int) -> Void)? = nil) throws -> EmbeddingIndex {
        let vectors = try embed(texts, embedder: embedder, progress: progress)
        let header = IndexHeader(model: model, pooling: embedder.options.pooling, maxLength: embedder.options.maxLength,
                                 dimension: embedder.dimension, count: texts.count)
        return EmbeddingIndex(header: header, vectors: vectors, texts: texts)
    }

    /// `index` with `texts` appended; throws unless `model` and the embedder's options are the
    /// index's (`path` names the index in that error).
    public static func append(_ texts: [String], to index: EmbeddingIndex, path: String, embedder: Embedder,
                              model: ModelIdentity, progress: ((Int, Int) -> Void)? = nil) throws -> EmbeddingIndex {
        try index.checkCompatible(model: model, pooling: embedder.options.pooling, maxLength: embedder.options.maxLength,
                                  path: path)
        guard embedder.dimension == index.dimension else {
            throw SearchError.optionMismatch(path: path, option: "dimension", index: "\(index.dimension)",
                                             given: "\(embedder.dimension)")
        }
        let vectors = try embed(texts, embedder: embedder, progress: progress)
        return index.appending(UnsafeBufferPointer(start: vectors.pointer, count: vectors.count), texts: texts)
    }

    /// A FAISS index (`factory`) of `index`'s vectors and texts; `path` names the output in errors.
    public static func faiss(_ index: EmbeddingIndex, factory: String, path: String) throws -> FaissIndex {
        try FaissIndex.build(factory: factory, header: index.header,
                             vectors: UnsafeBufferPointer(start: index.vectors.pointer, count: index.vectors.count),
                             texts: index.texts, path: path)
    }

    static func embed(_ texts: [String], embedder: Embedder, progress: ((Int, Int) -> Void)?) throws -> FloatBuffer {
        precondition(embedder.options.normalize, "index vectors must be L2-normalized (EmbedOptions.normalize)")
        let vectors = FloatBuffer(count: texts.count * embedder.dimension)
        try embedder.embed(texts, into: vectors.pointer, progress: progress)
        return vectors
    }
}
