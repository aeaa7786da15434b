// Multi-head scaled dot-product self-attention core with a key-padding mask, forward and backward
// (HF BertSelfAttention between the Q/K/V projections and the output projection), over a packed
// batch: row (sequence) b occupies tokens offsets[b] ..< offsets[b] + L_b, and attends only
// within itself.
//
// Layout: qkv (N, 3H) row-major, each token row is [q | k | v], head h occupies columns
// h·d ..< (h+1)·d of each part (H = heads·d). No copies of the inputs: every per-head matrix is a
// strided view; only Kᵀ/Vᵀ of one head are transposed into scratch so every product is a row
// update. Per row b and head h, with s = 1/√d, keep(j) the key mask and an optional bias R_h
// (the top-left L_b × L_b block of a (T, T) matrix shared by all rows: MPNet's relative
// position bias):
//   S = s·Q Kᵀ + R_h (L_b, L_b);  P = softmax over kept keys (masked keys get exactly 0);
//   P′ = dropout(P);    O = g·P′ V  →  ctx (N, H) columns of head h,
// where g = headScale(b, h) (drophead: 0 for a dropped head, heads/kept otherwise; 1 without).
// Backward, given dO = dctx:
//   dP′ = g·dO Vᵀ;  dV = g·P′ᵀ dO;  dP = dropout′(dP′);  dS = P ⊙ (dP − rowsum(dP ⊙ P));
//   dQ = s·dS K;    dK = s·dSᵀ Q;  dR_h += Σ_b dS.
// The (row, head) pairs are split across threads by cost (∝ L_b²); the small products are C
// kernels (smallmatmul.c), so BLAS's own threading is never involved here.
// Training passes `probsUsed` (laid out like probs): the forward keeps P′ there (dropped and, under
// bf16, rounded), so the backward reads it instead of regenerating the dropout mask: where P > 0,
// P′ = 0 exactly when the entry was dropped (a kept entry is P/(1−p) > 0, and bf16 keeps fp32's
// exponent range), and where P = 0 the softmax backward zeroes the entry whatever the mask.
// With `roundsProducts` (bf16 precision) every product input is a bf16 value: Q/K/V and dO
// arrive rounded (the encoder rounds them in place, as products are their only readers), and
// P′ and dS are rounded here into the copies the products read; softmax and its backward use the
// fp32 P.

import CKernels

/// Where each row of a packed batch lies, and where its attention probabilities go.
public struct AttentionLayout: Sendable, Equatable {
    public let heads: Int, headDim: Int
    public let offsets: [Int], lengths: [Int]
    /// Start of row b's (heads, L_b, L_b) block in the probabilities array.
    public let probabilityOffsets: [Int]
    /// Floats in the probabilities array, Σ_b heads·L_b².
    public let probabilityCount: Int
    /// The longest row (the side of the bias matrix).
    public let maxLength: Int

    public init(heads: Int, headDim: Int, offsets: [Int], lengths: [Int]) {
        precondition(offsets.count == lengths.count, "one offset per row")
        self.heads = heads; self.headDim = headDim; self.offsets = offsets; self.lengths = lengths
        var p = [Int](repeating: 0, count: lengths.count), total = 0
        for b in 0..<lengths.count { p[b] = total; total += heads * lengths[b] * lengths[b] }
        probabilityOffsets = p
        probabilityCount = total
        maxLength = lengths.max() ?? 0
    }

    /// A rectangular (B, T) batch.
    public init(batch: Int, sequence: Int, heads: Int, headDim: Int) {
        self.init(heads: heads, headDim: headDim, offsets: (0..<batch).map { $0 * sequence },
                  lengths: [Int](repeating: sequence, count: batch))
    }

    public var batch: Int { lengths.count }
    public var hidden: Int { heads * headDim }
    public var tokens: Int { lengths.reduce(0, +) }
    /// Floats of scratch per thread: two (T, T) matrices, the per-head bias-gradient accumulators
    /// (heads, T, T), T the longest row, and ck_matmul_nt's padded transpose.
    var scratchPerThread: Int { (2 + heads) * maxLength * maxLength + ck_matmul_nt_scratch(maxLength, headDim) }
    /// Floats of scratch the forward and backward need.
    public var scratchCount: Int { scratchPerThread * Parallel.threads }

    /// Contiguous ranges of (row, head) pair indices of about equal cost (∝ L²), one per thread.
    func balancedChunks() -> [Range<Int>] {
        let pairs = batch * heads
        let n = Parallel.chunkCount(pairs)
        if n <= 1 { return [0..<pairs] }
        var total = 0
        for L in lengths { total += heads * L * L }
        var chunks: [Range<Int>] = [], start = 0, acc = 0
        for bh in 0..<pairs {
            let L = lengths[bh / heads]
            acc += L * L
            if chunks.count < n - 1 && acc * n >= total * (chunks.count + 1) {
                chunks.append(start..<(bh + 1)); start = bh + 1
            }
        }
        chunks.append(start..<pairs)
        return chunks
    }
}

public enum Attention {
    /// P′, what the context product reads: `p` (count entries of one (row, head) block) after
    /// dropout and, under bf16, rounded, written to `out` when either applies; else `p` itself.
    /// `first` is the block's index in the dropout stream.
    static func usedProbabilities(_ p: UnsafePointer<Float>, count: Int, into out: UnsafeMutablePointer<Float>,
                                  dropout drop: DropoutSite?, first: Int, rounds: Bool) -> UnsafePointer<Float> {
        var used = p
        if let drop {
            Dropout.forwardSerial(y: out, x: p, count: count, site: drop, first: first)
            used = UnsafePointer(out)
        }
        if rounds {
            ck_bf16_round(out, used, 1, count, count, count)
            used = UnsafePointer(out)
        }
        return used
    }

    /// Forward. `keep` (N): 1 for real tokens. `probs` (layout.probabilityCount) receives P
    /// (pre-dropout). `headScale` (B, heads) or nil; `bias` (heads, T, T), T = layout.maxLength,
    /// or nil. `scratch` holds `layout.scratchCount` floats.
    public static func forward(
        ctx: UnsafeMutablePointer<Float>, probs: UnsafeMutablePointer<Float>, probsUsed: UnsafeMutablePointer<Float>? = nil,
        qkv: UnsafePointer<Float>, keep: UnsafePointer<Int32>, layout: AttentionLayout,
        dropout: DropoutSite?, headScale: UnsafePointer<Float>?, bias: UnsafePointer<Float>? = nil,
        roundsProducts: Bool = false, scratch: UnsafeMutablePointer<Float>
    ) {
        let d = layout.headDim, H = layout.hidden, nh = layout.heads, Tm = layout.maxLength
        let scale = 1 / Float(d).squareRoot()
        let drop = dropout.flatMap { $0.isActive ? $0 : nil }
        let chunks = layout.balancedChunks()
        Parallel.each(chunks.count) { chunk in
            let work = scratch + chunk * layout.scratchPerThread, nt = work + (2 + nh) * Tm * Tm
            for bh in chunks[chunk] {
                let b = bh / nh, h = bh % nh, T = layout.lengths[b], row = layout.offsets[b]
                let q = qkv + row * 3 * H + h * d, k = q + H, v = q + 2 * H
                let first = layout.probabilityOffsets[b] + h * T * T
                let p = probs + first
                ck_matmul_nt(p, q, k, T, T, d, 3 * H, 3 * H, T, 1, nt)
                ck_softmax_masked_forward(p, T, T, T, scale, keep + row, bias.map { $0 + h * Tm * Tm }, Tm)
                let pUsed = usedProbabilities(p, count: T * T, into: probsUsed.map { $0 + first } ?? work,
                                              dropout: drop, first: first, rounds: roundsProducts)
                let g = headScale?[bh] ?? 1
                ck_matmul_nn(ctx + row * H + h * d, pUsed, v, T, d, T, T, 3 * H, H, g, 0)
            }
        }
    }

    /// Backward: writes (overwrites) dqkv (N, 3H) from dctx (N, H) and the forward's saved qkv and
    /// probs; with `dBias` (heads, T, T), accumulates Σ_b dS into its top-left blocks. `scratch`
    /// holds `layout.scratchCount` floats.
    public static func backward(
        dqkv: UnsafeMutablePointer<Float>, dctx: UnsafePointer<Float>,
        qkv: UnsafePointer<Float>, probs: UnsafePointer<Float>, probsUsed: UnsafePointer<Float>? = nil, layout: AttentionLayout,
        dropout: DropoutSite?, headScale: UnsafePointer<Float>?, dBias: UnsafeMutablePointer<Float>? = nil,
        roundsProducts: Bool = false, scratch: UnsafeMutablePointer<Float>
    ) {
        let d = layout.headDim, H = layout.hidden, nh = layout.heads, Tm = layout.maxLength
        let scale = 1 / Float(d).squareRoot()
        let drop = dropout.flatMap { $0.isActive ? $0 : nil }
        let chunks = layout.balancedChunks()
        func biasAccumulator(_ chunk: Int) -> UnsafeMutablePointer<Float> {
            scratch + chunk * layout.scratchPerThread + 2 * Tm * Tm
        }
        if dBias != nil {
            for c in 0..<chunks.count { biasAccumulator(c).update(repeating: 0, count: nh * Tm * Tm) }
        }
        Parallel.each(chunks.count) { chunk in
            let dp = scratch + chunk * layout.scratchPerThread, pDrop = dp + Tm * Tm, nt = dp + (2 + nh) * Tm * Tm
            let biasAcc = biasAccumulator(chunk)
            for bh in chunks[chunk] {
                let b = bh / nh, h = bh % nh, T = layout.lengths[b], row = layout.offsets[b]
                let q = qkv + row * 3 * H + h * d, k = q + H, v = q + 2 * H
                let dq = dqkv + row * 3 * H + h * d, dk = dq + H, dv = dq + 2 * H
                let dO = dctx + row * H + h * d
                let first = layout.probabilityOffsets[b] + h * T * T
                let p = probs + first
                let g = headScale?[bh] ?? 1
                if g == 0 {  // a dropped head passes no gradient
                    for t in 0..<T {
                        (dq + t * 3 * H).update(repeating: 0, count: d)
                        (dk + t * 3 * H).update(repeating: 0, count: d)
                        (dv + t * 3 * H).update(repeating: 0, count: d)
                    }
                    continue
                }
                let pUsed: UnsafePointer<Float>
                if let probsUsed, drop != nil || roundsProducts {
                    pUsed = probsUsed + first  // the forward's P′ (written only when dropout or rounding applies)
                } else {
                    pUsed = usedProbabilities(p, count: T * T, into: pDrop, dropout: drop, first: first, rounds: roundsProducts)
                }
                ck_matmul_nt(dp, dO, v, T, T, d, H, 3 * H, T, g, nt)        // dP′ = g·dO Vᵀ
                ck_matmul_tn(dv, pUsed, dO, T, d, T, T, H, 3 * H, g, 0)     // dV = g·P′ᵀ dO
                if let drop {
                    if probsUsed != nil {  // the mask is where P′ is zero (see the header)
                        ck_dropout_backward_kept(dp, pUsed, T * T, 1 / (1 - drop.p))
                    } else {
                        Dropout.backwardSerial(dx: dp, dy: dp, count: T * T, site: drop, first: first, accumulate: false)
                    }
                }
                ck_softmax_backward(dp, p, T, T, T)                          // dS
                if dBias != nil {
                    let acc = biasAcc + h * Tm * Tm
                    for i in 0..<T { for j in 0..<T { acc[i * Tm + j] += dp[i * T + j] } }
                }
                if roundsProducts { ck_bf16_round(dp, dp, 1, T * T, T * T, T * T) }
                ck_matmul_nn(dq, dp, k, T, d, T, T, 3 * H, 3 * H, scale, 0)  // dQ = s·dS K
                ck_matmul_tn(dk, dp, q, T, d, T, T, 3 * H, 3 * H, scale, 0)  // dK = s·dSᵀ Q
            }
        }
        if let dBias {  // fixed-order reduction of the per-chunk accumulators
            for c in 0..<chunks.count {
                let acc = biasAccumulator(c)
                for i in 0..<(nh * Tm * Tm) { dBias[i] += acc[i] }
            }
        }
    }
}
