// Sentence embeddings from the last hidden state h and the key mask m of a batch of rows (row b
// is tokens offsets[b] ..< offsets[b] + L_b of h (N, H); a padded (B, T) batch has L_b = T):
//   cls:         e_b = h[first token of b]
//   mean:        e_b = (1/L_b) Σ_t h[t]            over all positions, padding included — what the
//                Mirror-BERT scripts call "mean" (so it depends on the padded length); with
//                per-token weights w (pad queries, see EncoderInput): e_b = Σ_t w[t]·h[t] / Σ_t w[t]
//   meanMasked:  e_b = Σ_t m[t]·h[t] / Σ_t m[t]     — sentence-transformers' mean pooling
// Backward writes (overwrites) dh from de.

import Kernels

public enum Pooling: String, Sendable, CaseIterable, Codable {
    case cls
    case mean
    case meanMasked = "mean-masked"

    /// True if the result does not depend on how much padding follows each row, so batches can be
    /// padded to their longest row — or packed without padding — instead of to the maximum length.
    public var isPaddingIndependent: Bool { self != .mean }

    /// out (B, H) from hidden (N, H); `weights` (N) weigh the tokens of `mean` (nil: all 1).
    public func forward(_ out: UnsafeMutablePointer<Float>, hidden: UnsafePointer<Float>, keep: UnsafePointer<Int32>,
                        weights: UnsafePointer<Float>? = nil, offsets: [Int], lengths: [Int], hiddenSize H: Int) {
        for b in 0..<offsets.count {
            let o = out + b * H, start = offsets[b], end = start + lengths[b]
            switch self {
            case .cls:
                o.update(from: hidden + start * H, count: H)
            case .mean, .meanMasked:
                o.update(repeating: 0, count: H)
                var n: Float = 0
                for t in start..<end where self == .mean || keep[t] != 0 {
                    let r = hidden + t * H
                    if self == .mean, let weights {
                        let w = weights[t]
                        for j in 0..<H { o[j] += w * r[j] }
                        n += w
                    } else {
                        for j in 0..<H { o[j] += r[j] }
                        n += 1
                    }
                }
                let inv = n > 0 ? 1 / n : 0
                for j in 0..<H { o[j] *= inv }
            }
        }
    }

    /// dHidden (N, H) = ∂L/∂h given dOut = ∂L/∂e (B, H); overwrites dHidden. `weights` as in forward.
    public func backward(_ dHidden: UnsafeMutablePointer<Float>, dOut: UnsafePointer<Float>, keep: UnsafePointer<Int32>,
                         weights: UnsafePointer<Float>? = nil, offsets: [Int], lengths: [Int], hiddenSize H: Int) {
        let n = lengths.reduce(0, +)
        dHidden.update(repeating: 0, count: n * H)
        for b in 0..<offsets.count {
            let d = dOut + b * H, start = offsets[b], end = start + lengths[b]
            switch self {
            case .cls:
                (dHidden + start * H).update(from: d, count: H)
            case .mean, .meanMasked:
                // ∂e_b/∂h[t] = w[t] / Σ w (w = 1 without weights).
                let w = self == .mean ? weights : nil
                var total: Float = 0
                for t in start..<end where self == .mean || keep[t] != 0 { total += w?[t] ?? 1 }
                let inv = total > 0 ? 1 / total : 0
                for t in start..<end where self == .mean || keep[t] != 0 {
                    let r = dHidden + t * H, scale = (w?[t] ?? 1) * inv
                    for j in 0..<H { r[j] = d[j] * scale }
                }
            }
        }
    }

    /// out (B, H) for `input`'s rows from hidden (input.tokens, H), with its pooling weights.
    public func forward(_ out: UnsafeMutablePointer<Float>, hidden: UnsafePointer<Float>, input: EncoderInput, hiddenSize H: Int) {
        Self.withMasks(input) { keep, weights in
            forward(out, hidden: hidden, keep: keep, weights: weights, offsets: input.offsets, lengths: input.lengths, hiddenSize: H)
        }
    }

    /// dHidden (input.tokens, H) from dOut (B, H).
    public func backward(_ dHidden: UnsafeMutablePointer<Float>, dOut: UnsafePointer<Float>, input: EncoderInput, hiddenSize H: Int) {
        Self.withMasks(input) { keep, weights in
            backward(dHidden, dOut: dOut, keep: keep, weights: weights, offsets: input.offsets, lengths: input.lengths,
                     hiddenSize: H)
        }
    }

    /// The key mask and the pooling weights (nil when the input has none) of `input`.
    private static func withMasks(_ input: EncoderInput, _ body: (UnsafePointer<Int32>, UnsafePointer<Float>?) -> Void) {
        input.keep.withUnsafeBufferPointer { keep in
            guard let weights = input.poolingWeights else { return body(keep.baseAddress!, nil) }
            precondition(weights.count == input.tokens, "one pooling weight per token")
            weights.withUnsafeBufferPointer { body(keep.baseAddress!, $0.baseAddress!) }
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
