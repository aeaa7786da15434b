// Multi-head scaled dot-product self-attention core with a key-padding mask, forward and backward
// (HF BertSelfAttention between the Q/K/V projections and the output projection).
//
// Layout: qkv (B·T, 3H) row-major, each token row is [q | k | v], head h occupies columns
// h·d ..< (h+1)·d of each part (H = heads·d). No copies of the inputs: every per-head matrix is a
// strided view; only Kᵀ/Vᵀ of one head are transposed into scratch so every product is a row
// update. Per batch row b and head h, with s = 1/√d, keep(b, j) the key mask and an optional
// bias R_h (T, T) shared by all rows (MPNet's relative position bias):
//   S = s·Q Kᵀ + R_h (T, T);  P = softmax over kept keys (masked keys get exactly 0);
//   P′ = dropout(P);    O = g·P′ V  →  ctx (B·T, H) columns of head h,
// where g = headScale(b, h) (drophead: 0 for a dropped head, heads/kept otherwise; 1 without).
// Backward, given dO = dctx:
//   dP′ = g·dO Vᵀ;  dV = g·P′ᵀ dO;  dP = dropout′(dP′);  dS = P ⊙ (dP − rowsum(dP ⊙ P));
//   dQ = s·dS K;    dK = s·dSᵀ Q;  dR_h += Σ_b dS.
// (B·heads) pairs are split across threads; the small products are C kernels (smallmatmul.c),
// so BLAS's own threading is never involved here.

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
    /// Floats of scratch per thread: two (T, T) matrices, a (d, T) transpose and the per-head
    /// bias-gradient accumulators (heads, T, T).
    var scratchPerThread: Int { (2 + heads) * sequence * sequence + headDim * sequence }
    /// Floats of scratch the forward and backward need.
    public var scratchCount: Int { scratchPerThread * Parallel.threads }
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
        Parallel.chunks(shape.batch * nh) { chunk, range in
            let work = scratch + chunk * shape.scratchPerThread, kt = work + 2 * T * T
            for bh in range {
                let b = bh / nh, h = bh % nh
                let q = qkv + b * T * 3 * H + h * d, k = q + H, v = q + 2 * H
                let p = probs + bh * T * T
                ck_transpose(kt, k, T, d, 3 * H)
                ck_matmul_nn(p, q, kt, T, T, d, 3 * H, T, T, 1, 0)
                ck_softmax_masked_forward(p, T, T, T, scale, keep + b * T, bias.map { $0 + h * T * T })
                var pUsed = UnsafePointer(p)
                if let drop {
                    Dropout.forwardSerial(y: work, x: p, count: T * T, site: drop, first: bh * T * T)
                    pUsed = UnsafePointer(work)
                }
                let g = headScale?[bh] ?? 1
                ck_matmul_nn(ctx + b * T * H + h * d, pUsed, v, T, d, T, T, 3 * H, H, g, 0)
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
        func biasAccumulator(_ chunk: Int) -> UnsafeMutablePointer<Float> {
            scratch + chunk * shape.scratchPerThread + 2 * T * T + d * T
        }
        if dBias != nil {
            for c in 0..<chunks { biasAccumulator(c).update(repeating: 0, count: nh * T * T) }
        }
        Parallel.chunks(shape.batch * nh) { chunk, range in
            let dp = scratch + chunk * shape.scratchPerThread, pDrop = dp + T * T, vt = pDrop + T * T
            let biasAcc = biasAccumulator(chunk)
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
                ck_transpose(vt, v, T, d, 3 * H)
                ck_matmul_nn(dp, dO, vt, T, T, d, H, T, T, g, 0)            // dP′ = g·dO Vᵀ
                ck_matmul_tn(dv, pUsed, dO, T, d, T, T, H, 3 * H, g, 0)     // dV = g·P′ᵀ dO
                if let drop {
                    Dropout.backwardSerial(dx: dp, dy: dp, count: T * T, site: drop, first: bh * T * T, accumulate: false)
                }
                ck_softmax_backward(dp, p, T, T, T)                          // dS
                if dBias != nil {
                    let acc = biasAcc + h * T * T
                    for i in 0..<(T * T) { acc[i] += dp[i] }
                }
                ck_matmul_nn(dq, dp, k, T, d, T, T, 3 * H, 3 * H, scale, 0)  // dQ = s·dS K
                ck_matmul_tn(dk, dp, q, T, d, T, T, 3 * H, 3 * H, scale, 0)  // dK = s·dSᵀ Q
            }
        }
        if let dBias {  // fixed-order reduction of the per-chunk accumulators
            for c in 0..<chunks {
                let acc = biasAccumulator(c)
                for i in 0..<(nh * T * T) { dBias[i] += acc[i] }
            }
        }
    }
}
