// Activation buffers for the encoder, allocated once and grown only when a larger batch comes.
// In training mode every layer keeps what its backward pass needs — or, with `recompute`, only
// its input, the backward pass rebuilding the rest one layer at a time (about a third more
// compute for a fraction of the memory); in inference mode one set of layer buffers is reused by
// all layers.

import Kernels

/// What one layer saves in the forward pass (N = B·T tokens, H hidden, I intermediate).
final class LayerActivations {
    let qkv: FloatBuffer      // (N, 3H) Q/K/V projections
    let probs: FloatBuffer    // (Σ_b heads·L_b²) attention probabilities before dropout
    let probsUsed: FloatBuffer  // (Σ_b heads·L_b²) what the context product read: dropped, bf16-rounded
    let ctx: FloatBuffer      // (N, H) attention output per head, after drophead
    let attentionOutput: ResidualOutput.Saved  // x + dropout(ctx·Woᵀ + bo) and its LayerNorm statistics
    let h1: FloatBuffer       // (N, H) LayerNorm₁ output
    let ffnPre: FloatBuffer   // (N, I) h1·W1ᵀ + b1
    let ffnAct: FloatBuffer   // (N, I) GELU(ffnPre)
    let ffnOutput: ResidualOutput.Saved        // h1 + dropout(ffnAct·W2ᵀ + b2) and its LayerNorm statistics

    init(tokens N: Int, probs: Int, hidden H: Int, intermediate I: Int) {
        qkv = FloatBuffer(count: N * 3 * H)
        self.probs = FloatBuffer(count: probs)
        probsUsed = FloatBuffer(count: probs)  // mapped lazily: an inference pass never touches it
        ctx = FloatBuffer(count: N * H)
        attentionOutput = ResidualOutput.Saved(tokens: N, hidden: H)
        h1 = FloatBuffer(count: N * H)
        ffnPre = FloatBuffer(count: N * I)
        ffnAct = FloatBuffer(count: N * I)
        ffnOutput = ResidualOutput.Saved(tokens: N, hidden: H)
    }
}

/// Gradient scratch shared by all layers in the backward pass.
final class BackwardScratch {
    let gOut: FloatBuffer, gRes2: FloatBuffer, gTmp: FloatBuffer, gRes1: FloatBuffer, gCtx: FloatBuffer  // (N, H)
    let gQKV: FloatBuffer      // (N, 3H)
    let gFfn: FloatBuffer      // (N, I): through the FFN output projection, then GELU (in place)
    let lnScratch: FloatBuffer  // per-thread partial LayerNorm parameter gradients

    init(tokens N: Int, hidden H: Int, intermediate I: Int) {
        gOut = FloatBuffer(count: N * H); gRes2 = FloatBuffer(count: N * H); gTmp = FloatBuffer(count: N * H)
        gRes1 = FloatBuffer(count: N * H); gCtx = FloatBuffer(count: N * H)
        gQKV = FloatBuffer(count: N * 3 * H)
        gFfn = FloatBuffer(count: N * I)
        lnScratch = FloatBuffer(count: 2 * H * Parallel.threads)
    }
}

public final class EncoderWorkspace {
    public let config: EncoderConfig
    public private(set) var training: Bool
    /// Training keeps only each layer's input and recomputes the rest in the backward pass.
    public let recompute: Bool
    private(set) var tokenCapacity = 0
    private(set) var probCapacity = 0
    private(set) var scratchCapacity = 0

    var embSum = FloatBuffer(count: 0)        // (N, H) word + position + type, the LayerNorm input
    var embMean = FloatBuffer(count: 0), embRstd = FloatBuffer(count: 0)
    /// Layer inputs/outputs: training keeps x₀ … x_L (L+1 buffers); inference ping-pongs two.
    var xs: [FloatBuffer] = []
    var layers: [LayerActivations] = []
    var attentionScratch = FloatBuffer(count: 0)
    var backward: BackwardScratch? = nil
    /// Drophead multipliers per layer (B, heads), when drophead is on.
    var headScales: [FloatBuffer] = []
    /// MPNet: the relative position bias (heads, T, T), its gradient, and the (T, T) buckets.
    var relativeBias = FloatBuffer(count: 0)
    var relativeBiasGradient = FloatBuffer(count: 0)
    var biasBuckets: [Int32] = []
    /// Scratch for the products' rounded inputs, in the encoder's precision.
    var products = ProductInputs(precision: .fp32)

    public init(config: EncoderConfig, training: Bool, recompute: Bool = false) {
        self.config = config
        self.training = training
        self.recompute = training && recompute
    }

    /// Bytes a training workspace holds for `tokens` = B·T tokens (activations and gradient
    /// scratch, not the parameters), without and with recomputation.
    public static func trainingBytes(config c: EncoderConfig, batch: Int, sequence: Int, recompute: Bool) -> Int {
        let N = batch * sequence, H = c.hiddenSize, I = c.intermediateSize
        let perLayer = N * (7 * H + 2 * I + 4) + 2 * batch * c.heads * sequence * sequence
        let layers = recompute ? 1 : c.layers
        let inputs = (c.layers + 1) * N * H
        let scratch = N * (8 * H + I)
        return 4 * (layers * perLayer + inputs + scratch + N * (H + 2))
    }

    /// Makes sure buffers fit `input` (its tokens, attention probabilities and scratch).
    func reserve(_ input: EncoderInput, attention layout: AttentionLayout) {
        let N = input.tokens
        let P = layout.probabilityCount
        let S = layout.scratchCount
        if N <= tokenCapacity && P <= probCapacity && S <= scratchCapacity && !layers.isEmpty { return }
        // Packed batches vary in size from step to step: grow with headroom so that a run
        // reallocates a few times, not at every new maximum.
        func grown(_ need: Int, _ have: Int) -> Int { need <= have ? have : max(need, have == 0 ? need : need + need / 4) }
        let n = grown(N, tokenCapacity), p = grown(P, probCapacity), s = grown(S, scratchCapacity)
        let H = config.hiddenSize, I = config.intermediateSize
        // Release the old buffers before allocating the new ones (peak memory).
        layers = []; xs = []; backward = nil
        embSum = FloatBuffer(count: n * H)
        embMean = FloatBuffer(count: n); embRstd = FloatBuffer(count: n)
        let layerSets = training && !recompute ? config.layers : 1
        layers = (0..<layerSets).map { _ in LayerActivations(tokens: n, probs: p, hidden: H, intermediate: I) }
        xs = (0..<(training ? config.layers + 1 : 2)).map { _ in FloatBuffer(count: n * H) }
        attentionScratch = FloatBuffer(count: s)
        if training { backward = BackwardScratch(tokens: n, hidden: H, intermediate: I) }
        tokenCapacity = n; probCapacity = p; scratchCapacity = s
    }

    func activations(layer l: Int) -> LayerActivations { training && !recompute ? layers[l] : layers[0] }
    func input(layer l: Int) -> FloatBuffer { training ? xs[l] : xs[l % 2] }
    func output(layer l: Int) -> FloatBuffer { training ? xs[l + 1] : xs[(l + 1) % 2] }
}

extension EncoderWorkspace {
    /// The output of layer l (−1: the embeddings' output) from the last forward pass, `tokens × H`
    /// floats; only a training workspace keeps every layer's. For inspection and tests.
    public func layerOutput(_ l: Int, tokens: Int) -> [Float] {
        precondition(training || l == config.layers - 1, "only a training workspace keeps every layer")
        let b = l < 0 ? xs[0] : output(layer: l)
        return Array(UnsafeBufferPointer(start: b.pointer, count: tokens * config.hiddenSize))
    }
}
