// Multi-head scaled dot-product self-attention core with a key-padding mask, forward and backward
// (HF BertSelfAttention between the Q/K/V projections and the output projection).
//
// Layout: qkv (B·T, 3H) row-major, each token row is [q | k | v], head h occupies columns
// h·d ..< (h+1)·d of each part (H = heads·d). No copies: every per-head matrix is a strided view.
// Per batch row b and head h, with s = 1/√d, keep(b, j) the key mask and an optional bias
// R_h (T, T) shared by all rows (MPNet's relative position bias):
//   S = s·Q Kᵀ + R_h (T, T);  P = softmax over kept keys (masked keys get exactly 0);
//   P′ = dropout(P);    O = g·P′ V  →  ctx (B·T, H) columns of head h,
// where g = headScale(b, h) (drophead: 0 for a dropped head, heads/kept otherwise; 1 without).
// Backward, given dO = dctx:
//   dP′ = g·dO Vᵀ;  dV = g·P′ᵀ dO;  dP = dropout′(dP′);  dS = P ⊙ (dP − rowsum(dP ⊙ P));
//   dQ = s·dS K;    dK = s·dSᵀ Q;  dR_h += Σ_b dS.

import CKernels

public struct AttentionShape: Sendable, Equatable {
    public var batch: Int, sequence: Int, heads: Int, headDim: Int
    public init(batch: Int, sequence: Int, heads: Int, headDim: Int) {
        self.batch = batch; self.sequence = sequence; self.heads = heads; self.headDim = headDim
    }
    public var hidden: Int { heads * headDim }
    public var tokens: Int { batch * sequence }
    /// Floats in the probabilities array (B, heads, T, T).
    public var probabilityCount: Int { batch * heads * sequence * sequence }
    /// Floats of per-thread scratch the forward and backward need (with room for per-thread
    /// bias-gradient accumulators).
    public var scratchCount: Int { (2 + heads) * sequence * sequence * Parallel.threads }
}

public enum Attention {
    /// Forward. `keep` (B, T): 1 for real tokens. `probs` (B, heads, T, T) receives P (pre-dropout).
    /// `headScale` (B, heads) or nil; `bias` (heads, T, T) or nil. `scratch` holds
    /// `shape.scratchCount` floats.
    public static func forward(
        ctx: UnsafeMutablePointer<Float>, probs: UnsafeMutablePointer<Float>,
        qkv: UnsafePointer<Float>, keep: UnsafePointer<Int32>, shape: AttentionShape,
        dropout: DropoutSite?, headScale: UnsafePointer<Float>?, bias: UnsafePointer<Float>? = nil,
        scratch: UnsafeMutablePointer<Float>
    ) {
        let T = shape.sequence, d = shape.headDim, H = shape.hidden, nh = shape.heads
        let scale = 1 / Float(d).squareRoot()
        let drop = dropout.flatMap { $0.isActive ? $0 : nil }
        withSerialBLAS {
            Parallel.chunks(shape.batch * nh) { chunk, range in
                let work = scratch + chunk * (2 + nh) * T * T
                for bh in range {
                    let b = bh / nh, h = bh % nh
                    let q = qkv + b * T * 3 * H + h * d, k = q + H, v = q + 2 * H
                    let p = probs + bh * T * T
                    BLAS.gemm(transB: true, m: T, n: T, k: d, a: q, lda: 3 * H, b: k, ldb: 3 * H, c: p, ldc: T)
                    ck_softmax_masked_forward(p, T, T, T, scale, keep + b * T, bias.map { $0 + h * T * T })
                    var pUsed = UnsafePointer(p)
                    if let drop {
                        Dropout.forwardSerial(y: work, x: p, count: T * T, site: drop, first: bh * T * T)
                        pUsed = UnsafePointer(work)
                    }
                    let g = headScale?[bh] ?? 1
                    BLAS.gemm(m: T, n: d, k: T, alpha: g, a: pUsed, lda: T, b: v, ldb: 3 * H,
                              c: ctx + b * T * H + h * d, ldc: H)
                }
            }
        }
    }

    /// Backward: writes (overwrites) dqkv (B·T, 3H) from dctx (B·T, H) and the forward's saved
    /// qkv and probs; with `dBias` (heads, T, T), accumulates Σ_b dS into it. `scratch` holds
    /// `shape.scratchCount` floats.
    public static func backward(
        dqkv: UnsafeMutablePointer<Float>, dctx: UnsafePointer<Float>,
        qkv: UnsafePointer<Float>, probs: UnsafePointer<Float>, shape: AttentionShape,
        dropout: DropoutSite?, headScale: UnsafePointer<Float>?, dBias: UnsafeMutablePointer<Float>? = nil,
        scratch: UnsafeMutablePointer<Float>
    ) {
        let T = shape.sequence, d = shape.headDim, H = shape.hidden, nh = shape.heads
        let scale = 1 / Float(d).squareRoot()
        let drop = dropout.flatMap { $0.isActive ? $0 : nil }
        let chunks = Parallel.chunkCount(shape.batch * nh)
        if dBias != nil {
            for c in 0..<chunks { (scratch + c * (2 + nh) * T * T + 2 * T * T).update(repeating: 0, count: nh * T * T) }
        }
        withSerialBLAS {
            Parallel.chunks(shape.batch * nh) { chunk, range in
                let dp = scratch + chunk * (2 + nh) * T * T, pDrop = dp + T * T, biasAcc = pDrop + T * T
                for bh in range {
                    let b = bh / nh, h = bh % nh
                    let row = b * T * 3 * H + h * d
                    let q = qkv + row, k = q + H, v = q + 2 * H
                    let dq = dqkv + row, dk = dq + H, dv = dq + 2 * H
                    let dO = dctx + b * T * H + h * d
                    let p = probs + bh * T * T
                    let g = headScale?[bh] ?? 1
                    if g == 0 {  // a dropped head passes no gradient
                        for t in 0..<T {
                            (dq + t * 3 * H).update(repeating: 0, count: d)
                            (dk + t * 3 * H).update(repeating: 0, count: d)
                            (dv + t * 3 * H).update(repeating: 0, count: d)
                        }
                        continue
                    }
                    var pUsed = p
                    if let drop {
                        Dropout.forwardSerial(y: pDrop, x: p, count: T * T, site: drop, first: bh * T * T)
                        pUsed = UnsafePointer(pDrop)
                    }
                    BLAS.gemm(transB: true, m: T, n: T, k: d, alpha: g, a: dO, lda: H, b: v, ldb: 3 * H, c: dp, ldc: T)
                    BLAS.gemm(transA: true, m: T, n: d, k: T, alpha: g, a: pUsed, lda: T, b: dO, ldb: H,
                              c: dv, ldc: 3 * H)
                    if let drop {
                        Dropout.backwardSerial(dx: dp, dy: dp, count: T * T, site: drop, first: bh * T * T,
                                               accumulate: false)
                    }
                    ck_softmax_backward(dp, p, T, T, T)
                    if dBias != nil {
                        let acc = biasAcc + h * T * T
                        for k in 0..<(T * T) { acc[k] += dp[k] }
                    }
                    BLAS.gemm(m: T, n: d, k: T, alpha: scale, a: dp, lda: T, b: k, ldb: 3 * H, c: dq, ldc: 3 * H)
                    BLAS.gemm(transA: true, m: T, n: d, k: T, alpha: scale, a: dp, lda: T, b: q, ldb: 3 * H,
                              c: dk, ldc: 3 * H)
                }
            }
        }
        if let dBias {  // fixed-order reduction of the per-chunk accumulators
            for c in 0..<chunks {
                let acc = scratch + c * (2 + nh) * T * T + 2 * T * T
                for k in 0..<(nh * T * T) { dBias[k] += acc[k] }
            }
        }
    }

    /// Runs `body` with BLAS single-threaded (the caller parallelizes over heads), then restores it.
    @inline(__always)
    static func withSerialBLAS(_ body: () -> Void) {
        let saved = BLAS.threads
        if saved != 1 { BLAS.threads = 1 }
        body()
        if saved != 1 { BLAS.threads = saved }
    }
}
