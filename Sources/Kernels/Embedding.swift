// Sum of embedding lookups (HF BertEmbeddings before its LayerNorm):
//   out (n, H) = word[ids[i]] + position[positions[i]] + tokenType[types[i]]
// backward scatter-adds dOut into the rows used; split over columns, so no two threads touch the
// same element and the summation order is fixed.

public struct EmbeddingTable {
    public var weights: UnsafePointer<Float>
    public var rows: Int
    public init(weights: UnsafePointer<Float>, rows: Int) { self.weights = weights; self.rows = rows }
}

public enum Embedding {
    /// Ids must be in range (checked by the caller when the batch is built).
    public static func forward(
        out: UnsafeMutablePointer<Float>, tables: [EmbeddingTable], indices: [UnsafePointer<Int32>],
        n: Int, hidden H: Int
    ) {
        precondition(tables.count == indices.count && !tables.isEmpty, "one index array per table")
        Parallel.chunks(n, minPerChunk: 32) { _, rows in
            for i in rows {
                let o = out + i * H
                o.update(from: tables[0].weights + Int(indices[0][i]) * H, count: H)
                for t in 1..<tables.count {
                    let src = tables[t].weights + Int(indices[t][i]) * H
                    for j in 0..<H { o[j] += src[j] }
                }
            }
        }
    }

    /// dTable[idx[i]] += dOut[i] for each table (pass nil to skip a table's gradient). A table's
    /// `paddingIndex` row gets no gradient (nn.Embedding(padding_idx:), as HF builds its tables).
    public static func backward(
        dTables: [UnsafeMutablePointer<Float>?], indices: [UnsafePointer<Int32>], paddingIndices: [Int32?]? = nil,
        dOut: UnsafePointer<Float>, n: Int, hidden H: Int
    ) {
        Parallel.chunks(H, minPerChunk: 16) { _, cols in
            for t in 0..<dTables.count {
                guard let d = dTables[t] else { continue }
                let idx = indices[t]
                let skip = paddingIndices?[t] ?? -1
                for i in 0..<n where idx[i] != skip {
                    let src = dOut + i * H, dst = d + Int(idx[i]) * H
                    for j in cols { dst[j] += src[j] }
                }
            }
        }
    }
}
