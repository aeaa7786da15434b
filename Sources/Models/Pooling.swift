// Sentence embeddings from the last hidden state h (B, T, H) and the attention mask m (B, T):
//   cls:         e_b = h[b, 0]
//   mean:        e_b = (1/T) Σ_t h[b, t]          over all positions, padding included — what the
//                Mirror-BERT scripts call "mean" (so it depends on the padded length)
//   meanMasked:  e_b = Σ_t m[b,t]·h[b,t] / Σ_t m[b,t]   — sentence-transformers' mean pooling
// Backward writes (overwrites) dh from de.

import Kernels

public enum Pooling: String, Sendable, CaseIterable, Codable {
    case cls
    case mean
    case meanMasked = "mean-masked"

    /// True if the result does not depend on how much padding follows each row, so batches can be
    /// padded to their longest row instead of to the maximum length.
    public var isPaddingIndependent: Bool { self != .mean }

    /// out (B, H) from hidden (B·T, H).
    public func forward(_ out: UnsafeMutablePointer<Float>, hidden: UnsafePointer<Float>, keep: UnsafePointer<Int32>,
                        batch B: Int, sequence T: Int, hiddenSize H: Int) {
        for b in 0..<B {
            let o = out + b * H, rows = hidden + b * T * H
            switch self {
            case .cls:
                o.update(from: rows, count: H)
            case .mean, .meanMasked:
                o.update(repeating: 0, count: H)
                var n = 0
                for t in 0..<T where self == .mean || keep[b * T + t] != 0 {
                    let r = rows + t * H
                    for j in 0..<H { o[j] += r[j] }
                    n += 1
                }
                let inv = n > 0 ? 1 / Float(n) : 0
                for j in 0..<H { o[j] *= inv }
            }
        }
    }

    /// dHidden (B·T, H) = ∂L/∂h given dOut = ∂L/∂e (B, H); overwrites dHidden.
    public func backward(_ dHidden: UnsafeMutablePointer<Float>, dOut: UnsafePointer<Float>, keep: UnsafePointer<Int32>,
                         batch B: Int, sequence T: Int, hiddenSize H: Int) {
        dHidden.update(repeating: 0, count: B * T * H)
        for b in 0..<B {
            let d = dOut + b * H, rows = dHidden + b * T * H
            switch self {
            case .cls:
                rows.update(from: d, count: H)
            case .mean, .meanMasked:
                var n = 0
                for t in 0..<T where self == .mean || keep[b * T + t] != 0 { n += 1 }
                let inv = n > 0 ? 1 / Float(n) : 0
                for t in 0..<T where self == .mean || keep[b * T + t] != 0 {
                    let r = rows + t * H
                    for j in 0..<H { r[j] = d[j] * inv }
                }
            }
        }
    }

    /// L2-normalizes each of the B rows of x (B, H) in place: x / max(‖x‖, 1e-12) (F.normalize).
    public static func normalize(_ x: UnsafeMutablePointer<Float>, rows: Int, columns: Int) {
        for b in 0..<rows {
            let r = x + b * columns
            var s: Double = 0
            for j in 0..<columns { s += Double(r[j]) * Double(r[j]) }
            let inv = Float(1 / max(s.squareRoot(), 1e-12))
            for j in 0..<columns { r[j] *= inv }
        }
    }
}
