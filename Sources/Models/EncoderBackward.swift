// The encoder's backward pass (see Encoder.swift for the forward and the math it inverts).
// Gradients accumulate into the parameter-shaped block; activation gradients flow through a few
// (N, H) / (N, I) scratch buffers reused by every layer. With a recomputing workspace each layer's
// activations are rebuilt from its saved input just before its backward (dropout and drophead
// masks are functions of the noise seed, so the rerun is exact).

import Kernels

extension Encoder {
    /// Accumulates into `gradients` (the layout's block) the gradient of a loss whose gradient with
    /// respect to the last hidden state is `dHidden` (input.tokens, H). Needs the training workspace of the
    /// forward call just made with the same `input` and `noise`.
    public func backward(_ input: EncoderInput, dHidden: UnsafePointer<Float>, workspace ws: EncoderWorkspace,
                         gradients: FloatBuffer, noise: Noise? = nil) {
        precondition(ws.training, "backward needs a training workspace")
        precondition(gradients.count == layout.totalCount, "gradient block does not match the layout")
        guard let s = ws.backward else { preconditionFailure("backward before forward") }
        let N = input.tokens, H = config.hiddenSize
        let P = UnsafePointer(parameters.pointer), G = gradients.pointer
        let attention = attentionLayout(input)
        let bias: UnsafePointer<Float>? = embeddingOffsets.relativeBias == nil ? nil : UnsafePointer(ws.relativeBias.pointer)
        let dBias: UnsafeMutablePointer<Float>? = embeddingOffsets.relativeBias == nil ? nil : ws.relativeBiasGradient.pointer
        dBias?.update(repeating: 0, count: config.heads * input.sequence * input.sequence)

        var gOut = s.gOut.pointer, gIn = s.gRes1.pointer
        Elementwise.copy(gOut, dHidden, count: N * H)
        for l in stride(from: config.layers - 1, through: 0, by: -1) {
            if ws.recompute && l != config.layers - 1 {  // the last layer's activations are still there
                Profiler.section("recompute layer") { forwardLayer(l, input, attention: attention, workspace: ws, noise: noise, bias: bias) }
            }
            backwardLayer(l, input, attention: attention, workspace: ws, gradients: G, noise: noise, dBias: dBias,
                          dOut: gOut, dIn: gIn)
            swap(&gOut, &gIn)  // gOut = ∂L/∂x, the previous layer's output
        }

        let e = embeddingOffsets
        if let dBias, let offset = e.relativeBias {
            RelativePositionBias.scatter(G + offset, dBias: dBias, buckets: ws.biasBuckets, heads: config.heads,
                                         sequence: input.sequence)
        }
        // Embeddings: x₀ = dropout(LN(word + position [+ type])).
        Profiler.section("bwd embeddings") {
            dropoutBackward(s.gTmp.pointer, gOut, count: N * H, site: noise?.embeddingSite())
            LayerNorm.backward(dx: gIn, dGamma: G + e.lnWeight, dBeta: G + e.lnBias, dy: s.gTmp.pointer, x: ws.embSum.pointer,
                               mean: ws.embMean.pointer, rstd: ws.embRstd.pointer, gamma: P + e.lnWeight, n: N, c: H,
                               scratch: s.lnScratch.pointer, accumulate: false)
            let pad = Int32(config.padTokenId)
            embeddingLookups(input) { _, indices in
                var dTables: [UnsafeMutablePointer<Float>?] = [G + e.word, G + e.position]
                var padding: [Int32?] = [pad, config.family.offsetsPositionsByPadding ? pad : nil]
                if let t = e.tokenType { dTables.append(G + t); padding.append(nil) }
                Embedding.backward(dTables: dTables, indices: indices, paddingIndices: padding, dOut: gIn, n: N, hidden: H)
            }
        }
    }

    /// Layer l backward (the mirror of `forwardLayer`): from dOut = ∂L/∂y (N, H) to dIn = ∂L/∂x
    /// (N, H), overwritten; parameter gradients accumulate into G. Needs layer l's activations.
    func backwardLayer(_ l: Int, _ input: EncoderInput, attention: AttentionLayout, workspace ws: EncoderWorkspace,
                       gradients G: UnsafeMutablePointer<Float>, noise: Noise?, dBias: UnsafeMutablePointer<Float>?,
                       dOut: UnsafePointer<Float>, dIn: UnsafeMutablePointer<Float>) {
        guard let s = ws.backward else { preconditionFailure("backward before forward") }
        let N = input.tokens, H = config.hiddenSize, I = config.intermediateSize
        let P = UnsafePointer(parameters.pointer)
        let o = layerOffsets[l], a = ws.activations(layer: l), products = products(ws)
        let x = ws.input(layer: l).pointer
        let gH1 = s.gRes2.pointer, gFfn = s.gFfn.pointer, gCtx = s.gCtx.pointer
        // BertOutput: gH1 = ∂L/∂res2, which is ∂L/∂h1 through the residual; gFfn = ∂L/∂GELU(ffnPre).
        ResidualOutput.ffn(o, config: config).backward(
            dx: gFfn, dSum: gH1, dy: dOut, x: a.ffnAct.pointer, saved: a.ffnOutput, n: N, parameters: P, gradients: G,
            dropout: noise?.ffnOutputSite(layer: l), scratch: s.gTmp.pointer, lnScratch: s.lnScratch.pointer,
            products: products)
        // BertIntermediate: gH1 += ∂L/∂h1 through GELU(h1·W1ᵀ + b1).
        Profiler.section("bwd gelu") { GELU.backwardInPlace(gFfn, x: a.ffnPre.pointer, count: N * I) }
        Profiler.section("bwd ffn-in linear") {
            Linear.backward(dx: gH1, dWeight: G + o.ffnInWeight, dBias: G + o.ffnInBias, dy: gFfn,
                            x: a.h1.pointer, weight: P + o.ffnInWeight, n: N, inFeatures: H, outFeatures: I,
                            products: products)
        }
        // BertSelfOutput: dIn = ∂L/∂res1, which is ∂L/∂x through the residual; gCtx = ∂L/∂ctx.
        ResidualOutput.attention(o, config: config).backward(
            dx: gCtx, dSum: dIn, dy: gH1, x: a.ctx.pointer, saved: a.attentionOutput, n: N, parameters: P, gradients: G,
            dropout: noise?.attentionOutputSite(layer: l), scratch: s.gTmp.pointer, lnScratch: s.lnScratch.pointer,
            products: products)
        // ∂L/∂ctx is read only by the attention's products: rounded once under bf16.
        products.roundInPlace(gCtx, count: N * H)
        // Self-attention: dIn += ∂L/∂x through qkv = x·Wqkvᵀ + b.
        let headScale: UnsafePointer<Float>? = (noise?.drophead ?? 0) > 0 ? UnsafePointer(ws.headScales[l].pointer) : nil
        Profiler.section("bwd attention") {
            Attention.backward(dqkv: s.gQKV.pointer, dctx: gCtx, qkv: a.qkv.pointer, probs: a.probs.pointer,
                               probsUsed: a.probsUsed.pointer, layout: attention,
                               dropout: noise?.probabilitySite(layer: l), headScale: headScale, dBias: dBias,
                               roundsProducts: precision.roundsToBF16, scratch: ws.attentionScratch.pointer)
        }
        Profiler.section("bwd qkv linear") {
            Linear.backward(dx: dIn, dWeight: G + o.qkvWeight, dBias: G + o.qkvBias, dy: s.gQKV.pointer,
                            x: x, weight: P + o.qkvWeight, n: N, inFeatures: H, outFeatures: 3 * H, products: products)
        }
    }
}
