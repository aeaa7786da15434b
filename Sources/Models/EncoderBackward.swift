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
        let N = input.tokens, H = config.hiddenSize, I = config.intermediateSize
        let P = UnsafePointer(parameters.pointer), G = gradients.pointer
        let attention = attentionLayout(input)
        let bias: UnsafePointer<Float>? = embeddingOffsets.relativeBias == nil ? nil : UnsafePointer(ws.relativeBias.pointer)
        let dBias: UnsafeMutablePointer<Float>? = embeddingOffsets.relativeBias == nil ? nil : ws.relativeBiasGradient.pointer
        dBias?.update(repeating: 0, count: config.heads * input.sequence * input.sequence)

        var gOut = s.gOut.pointer, gRes1 = s.gRes1.pointer
        let gRes2 = s.gRes2.pointer, gTmp = s.gTmp.pointer, gCtx = s.gCtx.pointer, gFfn = s.gFfn.pointer
        Elementwise.copy(gOut, dHidden, count: N * H)

        for l in stride(from: config.layers - 1, through: 0, by: -1) {
            if ws.recompute && l != config.layers - 1 {  // the last layer's activations are still there
                Profiler.section("recompute layer") { forwardLayer(l, input, attention: attention, workspace: ws, noise: noise, bias: bias) }
            }
            let o = layerOffsets[l], a = ws.activations(layer: l)
            let x = ws.input(layer: l).pointer
            // y = LN₂(res2): gRes2 = ∂L/∂res2 (which is also ∂L/∂h1 through the residual).
            Profiler.section("bwd layernorm") {
                LayerNorm.backward(dx: gRes2, dGamma: G + o.ln2Weight, dBeta: G + o.ln2Bias, dy: gOut, x: a.res2.pointer,
                                   mean: a.mean2.pointer, rstd: a.rstd2.pointer, gamma: P + o.ln2Weight, n: N, c: H,
                                   scratch: s.lnScratch.pointer, accumulate: false)
            }
            dropoutBackward(gTmp, gRes2, count: N * H, site: noise?.ffnOutputSite(layer: l))
            // FFN: res2 ← dropout(GELU(h1·W1ᵀ + b1)·W2ᵀ + b2) + h1.
            Profiler.section("bwd ffn-out linear") {
                Linear.backward(dx: gFfn, dWeight: G + o.ffnOutWeight, dBias: G + o.ffnOutBias, dy: gTmp,
                                x: a.ffnAct.pointer, weight: P + o.ffnOutWeight, n: N, inFeatures: I, outFeatures: H,
                                accumulateInput: false)
            }
            Profiler.section("bwd gelu") { GELU.backwardInPlace(gFfn, x: a.ffnPre.pointer, count: N * I) }
            Profiler.section("bwd ffn-in linear") {
                Linear.backward(dx: gRes2, dWeight: G + o.ffnInWeight, dBias: G + o.ffnInBias, dy: gFfn,
                                x: a.h1.pointer, weight: P + o.ffnInWeight, n: N, inFeatures: H, outFeatures: I)
            }
            // h1 = LN₁(res1): gRes1 = ∂L/∂res1 (also ∂L/∂x through the residual).
            Profiler.section("bwd layernorm") {
                LayerNorm.backward(dx: gRes1, dGamma: G + o.ln1Weight, dBeta: G + o.ln1Bias, dy: gRes2, x: a.res1.pointer,
                                   mean: a.mean1.pointer, rstd: a.rstd1.pointer, gamma: P + o.ln1Weight, n: N, c: H,
                                   scratch: s.lnScratch.pointer, accumulate: false)
            }
            dropoutBackward(gTmp, gRes1, count: N * H, site: noise?.attentionOutputSite(layer: l))
            // res1 ← dropout(ctx·Woᵀ + bo) + x.
            Profiler.section("bwd attn-out linear") {
                Linear.backward(dx: gCtx, dWeight: G + o.attnOutWeight, dBias: G + o.attnOutBias, dy: gTmp,
                                x: a.ctx.pointer, weight: P + o.attnOutWeight, n: N, inFeatures: H, outFeatures: H,
                                accumulateInput: false)
            }
            let headScale: UnsafePointer<Float>? = (noise?.drophead ?? 0) > 0 ? UnsafePointer(ws.headScales[l].pointer) : nil
            Profiler.section("bwd attention") {
                Attention.backward(dqkv: s.gQKV.pointer, dctx: gCtx, qkv: a.qkv.pointer, probs: a.probs.pointer, layout: attention,
                                   dropout: noise?.probabilitySite(layer: l), headScale: headScale, dBias: dBias,
                                   scratch: ws.attentionScratch.pointer)
            }
            Profiler.section("bwd qkv linear") {
                Linear.backward(dx: gRes1, dWeight: G + o.qkvWeight, dBias: G + o.qkvBias, dy: s.gQKV.pointer,
                                x: x, weight: P + o.qkvWeight, n: N, inFeatures: H, outFeatures: 3 * H)
            }
            swap(&gOut, &gRes1)  // gOut = ∂L/∂x, the previous layer's output
        }

        let e = embeddingOffsets
        if let dBias, let offset = e.relativeBias {
            RelativePositionBias.scatter(G + offset, dBias: dBias, buckets: ws.biasBuckets, heads: config.heads,
                                         sequence: input.sequence)
        }
        // Embeddings: x₀ = dropout(LN(word + position [+ type])).
        Profiler.section("bwd embeddings") {
            dropoutBackward(gTmp, gOut, count: N * H, site: noise?.embeddingSite())
            LayerNorm.backward(dx: gRes1, dGamma: G + e.lnWeight, dBeta: G + e.lnBias, dy: gTmp, x: ws.embSum.pointer,
                               mean: ws.embMean.pointer, rstd: ws.embRstd.pointer, gamma: P + e.lnWeight, n: N, c: H,
                               scratch: s.lnScratch.pointer, accumulate: false)
            let pad = Int32(config.padTokenId)
            embeddingLookups(input) { _, indices in
                var dTables: [UnsafeMutablePointer<Float>?] = [G + e.word, G + e.position]
                var padding: [Int32?] = [pad, config.family.offsetsPositionsByPadding ? pad : nil]
                if let t = e.tokenType { dTables.append(G + t); padding.append(nil) }
                Embedding.backward(dTables: dTables, indices: indices, paddingIndices: padding, dOut: gRes1, n: N, hidden: H)
            }
        }
    }

    /// dst = dropout′(src) (the mask of `site`), or a copy when there is no dropout.
    private func dropoutBackward(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, count: Int,
                                 site: DropoutSite?) {
        Profiler.section("bwd dropout") {
            if let site, site.isActive {
                Dropout.backward(dx: dst, dy: src, count: count, site: site, accumulate: false)
            } else {
                Elementwise.copy(dst, src, count: count)
            }
        }
    }
}
