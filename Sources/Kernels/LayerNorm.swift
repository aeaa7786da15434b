// LayerNorm over the last dimension (PyTorch nn.LayerNorm), rows split across threads.
// forward:  y = (x − μ)·rstd·γ + β, stores μ and rstd (n) for the backward.
// backward: dx (+)= rstd·(dnorm − mean(dnorm) − x̂·mean(dnorm·x̂)), dγ += Σ dy·x̂, dβ += Σ dy.

import CKernels

public enum LayerNorm {
    public static func forward(
        y: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>,
        x: UnsafePointer<Float>, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
        n: Int, c: Int, eps: Float
    ) {
        Parallel.chunks(n, minPerChunk: 16) { _, r in
            ck_layernorm_forward(y + r.lowerBound * c, mean + r.lowerBound, rstd + r.lowerBound,
                                 x + r.lowerBound * c, gamma, beta, r.count, c, eps)
        }
    }

    /// `scratch` must hold 2·c·Parallel.threads floats (per-thread partial dγ, dβ). With
    /// `accumulate` false, dx is overwritten instead of added to.
    public static func backward(
        dx: UnsafeMutablePointer<Float>, dGamma: UnsafeMutablePointer<Float>, dBeta: UnsafeMutablePointer<Float>,
        dy: UnsafePointer<Float>, x: UnsafePointer<Float>, mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
        gamma: UnsafePointer<Float>, n: Int, c: Int, scratch: UnsafeMutablePointer<Float>, accumulate: Bool = true
    ) {
        let chunks = Parallel.chunkCount(n, minPerChunk: 16)
        scratch.update(repeating: 0, count: 2 * c * chunks)
        Parallel.chunks(n, minPerChunk: 16) { k, r in
            let dg = scratch + 2 * c * k, db = dg + c
            ck_layernorm_backward(dx + r.lowerBound * c, dg, db, dy + r.lowerBound * c, x + r.lowerBound * c,
                                  mean + r.lowerBound, rstd + r.lowerBound, gamma, r.count, c, accumulate ? 1 : 0)
        }
        for k in 0..<chunks {
            let dg = scratch + 2 * c * k, db = dg + c
            for j in 0..<c { dGamma[j] += dg[j]; dBeta[j] += db[j] }
        }
    }
}
