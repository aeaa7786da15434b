// NT-Xent / InfoNCE loss (Oord et al. 2018; SimCLR's NT-Xent), the Mirror-BERT objective, with its
// gradient. Numerically the loss of pytorch-metric-learning 2.9's
// `NTXentLoss(temperature: τ)(E, labels: [0..B-1, 0..B-1])`, which the reference
// (cambridgeltl/mirror-bert src/contrastive_learning.py) calls:
//
//   E (N = 2B, H): rows 0..<B are view 1, rows B..<2B view 2; pos(i) = (i + B) mod N.
//   u_i  = x_i / max(‖x_i‖₂, 1e-12)                      (torch.nn.functional.normalize)
//   s_ij = u_i · u_j,  z_ij = s_ij / τ
//   p_i  = exp(z_i,pos(i)) / Σ_{j≠i} exp(z_ij)            (the positive is in the denominator;
//                                                          the 2B−2 other rows are negatives)
//   ℓ_i  = −log(p_i + tiny),  tiny = smallest normal of the dtype (PML's `small_val`)
//   L    = (1/N) Σ_i ℓ_i                                  (MeanReducer over the N positive pairs)
//
// PML subtracts the row max before exp (stability only: the max is detached) and, when no negative
// exists (B = 1), returns an exact 0 with zero gradient; both are reproduced here.
//
// Gradient (llm.c style, shapes in comments):
//   G_ij = ∂L/∂s_ij = c_i (P_ij − δ_j,pos(i)) / (τN) for j ≠ i, G_ii = 0,
//          P_ij = exp(z_ij)/Σ_{k≠i} exp(z_ik),  c_i = p_i/(p_i + tiny) (= 1 unless p_i underflows)
//   ∂L/∂U = (G + Gᵀ) U                                    (N,N)·(N,H)
//   ∂L/∂x_i = (g_i − u_i (u_i·g_i)) / ‖x_i‖   if ‖x_i‖ ≥ eps,   g_i / eps otherwise (clamp_min)
//
// Precision: the similarity matrix and the two products run in Float through BLAS; norms, the
// softmax, the loss and G's row sums run in Double (at τ = 0.04 the logits span ±25, and
// P_pos − 1 is formed as −Σ_{j≠pos} P_ij to avoid cancellation when the positive dominates).

import Foundation
import Kernels

/// NT-Xent (InfoNCE) loss over a batch of paired views, with its gradient.
///
/// Holds scratch buffers that are reused across calls, so an instance is not thread-safe; use one
/// per training loop. For B = 200, H = 768 the scratch is about 3 MB.
public final class InfoNCE {
    /// The softmax temperature τ (the paper: 0.04 for sentences and phrases, 0.2 for words).
    public let temperature: Float
    private let workspace = InfoNCEWorkspace<Float>()

    public init(temperature: Float) {
        precondition(temperature > 0 && temperature.isFinite, "InfoNCE temperature must be positive")
        self.temperature = temperature
    }

    /// The mean NT-Xent loss of `embeddings` (rows × dim, row-major; rows = 2B, row i's positive is
    /// row (i + B) mod 2B). When `gradient` is non-nil, writes ∂loss/∂embeddings there (rows × dim,
    /// overwritten, not accumulated).
    public func forward(
        embeddings: UnsafePointer<Float>, rows: Int, dim: Int, gradient: UnsafeMutablePointer<Float>?
    ) -> Float {
        Float(infoNCEForward(
            embeddings, rows: rows, dim: dim, temperature: Double(temperature),
            gradient: gradient, workspace: workspace))
    }
}

// MARK: - Generic core (Float through BLAS in production, Double for the finite-difference test)

/// A scalar the InfoNCE core runs in: it supplies the matrix product and the dtype's `tiny`.
protocol InfoNCEScalar: BinaryFloatingPoint {
    /// C (m×n) = A (m×k) · op(B), op(B) = Bᵀ (B is n×k) when transB, else B (k×n); row-major.
    static func product(
        transB: Bool, m: Int, n: Int, k: Int,
        a: UnsafePointer<Self>, b: UnsafePointer<Self>, c: UnsafeMutablePointer<Self>)
}

extension Float: InfoNCEScalar {
    static func product(
        transB: Bool, m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>
    ) {
        BLAS.gemm(transB: transB, m: m, n: n, k: k, a: a, lda: k, b: b, ldb: transB ? k : n, c: c, ldc: n)
    }
}

extension Double: InfoNCEScalar {
    static func product(
        transB: Bool, m: Int, n: Int, k: Int,
        a: UnsafePointer<Double>, b: UnsafePointer<Double>, c: UnsafeMutablePointer<Double>
    ) {
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for l in 0..<k { sum += a[i * k + l] * (transB ? b[j * k + l] : b[l * n + j]) }
                c[i * n + j] = sum
            }
        }
    }
}

/// Scratch reused across calls: unit rows (N,H), clamped norms (N), similarities then the
/// symmetrised gradient coefficients (N,N), ∂L/∂U (N,H).
final class InfoNCEWorkspace<T: InfoNCEScalar> {
    var unit: [T] = []
    var norm: [Double] = []
    var clamped: [Bool] = []
    var matrix: [T] = []
    var dUnit: [T] = []

    func reserve(rows n: Int, dim h: Int) {
        if unit.count < n * h { unit = [T](repeating: 0, count: n * h); dUnit = unit }
        if norm.count < n { norm = [Double](repeating: 0, count: n); clamped = [Bool](repeating: false, count: n) }
        if matrix.count < n * n { matrix = [T](repeating: 0, count: n * n) }
    }
}

/// torch.nn.functional.normalize's default eps.
let normalizeEpsilon = 1e-12

/// The core of `InfoNCE.forward`, generic so that the same code runs in Double for the
/// finite-difference test. Returns the loss in Double.
func infoNCEForward<T: InfoNCEScalar>(
    _ x: UnsafePointer<T>, rows n: Int, dim h: Int, temperature tau: Double,
    gradient: UnsafeMutablePointer<T>?, workspace ws: InfoNCEWorkspace<T>
) -> Double {
    precondition(n >= 2 && n % 2 == 0, "InfoNCE needs 2B rows (B ≥ 1), got \(n)")
    precondition(h >= 1, "InfoNCE needs dim ≥ 1")
    // B = 1: no negatives; PML returns its zero loss (sum(E·0)), whose gradient is 0.
    if n == 2 {
        gradient?.update(repeating: 0, count: n * h)
        return 0
    }
    let b = n / 2
    let tiny = Double(T.leastNormalMagnitude)
    ws.reserve(rows: n, dim: h)

    return ws.unit.withUnsafeMutableBufferPointer { unitBuffer in
        ws.matrix.withUnsafeMutableBufferPointer { matrixBuffer in
            let u = unitBuffer.baseAddress!, s = matrixBuffer.baseAddress!

            // u (N,H) = x / max(‖x‖, eps)
            for i in 0..<n {
                let row = x + i * h
                var sq = 0.0
                for k in 0..<h { let v = Double(row[k]); sq += v * v }
                let norm = sq.squareRoot()
                ws.clamped[i] = norm < normalizeEpsilon
                let r = max(norm, normalizeEpsilon)
                ws.norm[i] = r
                for k in 0..<h { u[i * h + k] = T(Double(row[k]) / r) }
            }

            // s (N,N) = u · uᵀ
            T.product(transB: true, m: n, n: n, k: h, a: u, b: u, c: s)

            // Per row: loss term, and (when a gradient is wanted) G's row i written over s's row i.
            var total = 0.0
            for i in 0..<n {
                let row = s + i * n
                let pos = (i + b) % n
                var zMax = -Double.infinity
                for j in 0..<n where j != i { zMax = max(zMax, Double(row[j]) / tau) }
                var denominator = 0.0
                for j in 0..<n where j != i { denominator += exp(Double(row[j]) / tau - zMax) }
                let ePos = exp(Double(row[pos]) / tau - zMax)
                let p = ePos / denominator
                total += -log(p + tiny)
                if gradient != nil {
                    // c_i / (τN), then P_ij − δ: P_pos − 1 = −(den − e_pos)/den
                    let scale = (p / (p + tiny)) / (tau * Double(n))
                    for j in 0..<n {
                        if j == i {
                            row[j] = 0
                        } else if j == pos {
                            row[j] = T(-scale * (denominator - ePos) / denominator)
                        } else {
                            row[j] = T(scale * exp(Double(row[j]) / tau - zMax) / denominator)
                        }
                    }
                }
            }
            let loss = total / Double(n)
            guard let dx = gradient else { return loss }

            // A = G + Gᵀ in place (N,N)
            for i in 0..<n {
                for j in (i + 1)..<n {
                    let v = s[i * n + j] + s[j * n + i]
                    s[i * n + j] = v
                    s[j * n + i] = v
                }
            }
            ws.dUnit.withUnsafeMutableBufferPointer { dUnitBuffer in
                let du = dUnitBuffer.baseAddress!
                // ∂L/∂U (N,H) = A (N,N) · U (N,H)
                T.product(transB: false, m: n, n: h, k: n, a: UnsafePointer(s), b: u, c: du)
                // back through the normalisation, row by row
                for i in 0..<n {
                    let ui = u + i * h, gi = du + i * h, out = dx + i * h
                    let r = ws.norm[i]
                    if ws.clamped[i] {
                        for k in 0..<h { out[k] = T(Double(gi[k]) / r) }
                    } else {
                        var dot = 0.0
                        for k in 0..<h { dot += Double(ui[k]) * Double(gi[k]) }
                        for k in 0..<h { out[k] = T((Double(gi[k]) - Double(ui[k]) * dot) / r) }
                    }
                }
            }
            return loss
        }
    }
}
