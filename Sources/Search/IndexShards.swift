// Merging the shards of `index --shard I/N` (manifests checked by ShardMerge.manifests): their
// index files, read and validated, joined in shard order into one index. With --unique each shard
// kept a text's first occurrence within it; the merge keeps the first across shards, so the result
// has the rows a single `index --unique` would.

import Foundation

extension ShardMerge {
    /// The index of all shards in order, and how many rows `unique` dropped as texts of earlier shards.
    public static func mergeIndexes(_ manifests: [ShardManifest], output: URL) throws -> (index: EmbeddingIndex, dropped: Int) {
        precondition(!manifests.isEmpty && manifests.allSatisfy(\.isIndex), "mergeIndexes takes the manifests of index shards")
        let folder = output.deletingLastPathComponent()
        var first: IndexHeader?
        var vectors: [Float] = []
        var texts: [String] = []
        var seen = Set<String>()
        var dropped = 0
        for m in manifests {
            let file = folder.appendingPathComponent(m.output_file)
            let shard = try EmbeddingIndex.read(file)
            let h = shard.header
            guard h.count == m.rows, h.model.weightsHash == m.model_weights_xxh64, h.model.configHash == m.model_config_xxh64 else {
                throw ShardError.merge("\(file.path) holds \(h.count) rows of model \(h.model.summary); its manifest says \(m.rows) rows of weights xxh64 \(m.model_weights_xxh64)")
            }
            if let first, !(first.model.sameModel(as: h.model) && first.pooling == h.pooling && first.maxLength == h.maxLength
                              && first.dimension == h.dimension) {
                throw ShardError.merge("\(file.path) was made with other options than shard 0 (pooling, max length or dimension)")
            }
            if first == nil { first = h; vectors.reserveCapacity(manifests.reduce(0) { $0 + $1.rows } * h.dimension) }
            let d = h.dimension
            for r in 0..<h.count {
                if m.unique && !seen.insert(shard.texts[r]).inserted { dropped += 1; continue }
                texts.append(shard.texts[r])
                vectors.append(contentsOf: UnsafeBufferPointer(start: shard.vectors.pointer + r * d, count: d))
            }
        }
        guard var header = first else { throw ShardError.merge("no shards to merge") }
        header.count = texts.count
        return (EmbeddingIndex(header: header, vectors: vectors, texts: texts), dropped)
    }
}
