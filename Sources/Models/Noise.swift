// The stochastic parts of a training forward pass: dropout at the four BERT sites and drophead.
// Everything is a function of `seed`, so a step can be replayed (the backward regenerates masks).

import Kernels

public struct Noise: Sendable, Equatable {
    /// Dropout after the embeddings' LayerNorm, the attention output projection and the FFN output.
    public var hiddenDropout: Float
    /// Dropout on the attention probabilities.
    public var attentionDropout: Float
    /// Drophead: per example and layer, each head is dropped with this probability and the kept
    /// heads are scaled by heads/kept (Kirill Kravtsov's drophead hook, as the paper uses it).
    public var drophead: Float
    public var seed: UInt64

    public init(hiddenDropout: Float, attentionDropout: Float, drophead: Float = 0, seed: UInt64) {
        self.hiddenDropout = hiddenDropout; self.attentionDropout = attentionDropout
        self.drophead = drophead; self.seed = seed
    }

    /// Dropout streams: 0 = embeddings; layer l: 1+3l probabilities, 2+3l attention output, 3+3l FFN output.
    func embeddingSite() -> DropoutSite { DropoutSite(p: hiddenDropout, seed: seed, stream: 0) }
    func probabilitySite(layer l: Int) -> DropoutSite { DropoutSite(p: attentionDropout, seed: seed, stream: UInt64(1 + 3 * l)) }
    func attentionOutputSite(layer l: Int) -> DropoutSite { DropoutSite(p: hiddenDropout, seed: seed, stream: UInt64(2 + 3 * l)) }
    func ffnOutputSite(layer l: Int) -> DropoutSite { DropoutSite(p: hiddenDropout, seed: seed, stream: UInt64(3 + 3 * l)) }

    /// Fills `scale` (B, heads) for layer l: 0 for a dropped head, heads/kept for a kept one.
    /// If every head of a row is dropped the row's attention output is zero (PyTorch's hook would
    /// divide by zero and produce NaN).
    func fillHeadScales(_ scale: UnsafeMutablePointer<Float>, layer l: Int, batch: Int, heads: Int) {
        var rng = Rng(seed: splitMix64(seed ^ 0xD20F_4EAD) &+ UInt64(l))
        for b in 0..<batch {
            var kept = 0
            for h in 0..<heads {
                let keep = rng.uniform() >= drophead
                scale[b * heads + h] = keep ? 1 : 0
                if keep { kept += 1 }
            }
            let s: Float = kept == 0 ? 0 : Float(heads) / Float(kept)
            for h in 0..<heads { scale[b * heads + h] *= s }
        }
    }
}
