// Hugging Face's BertSelfOutput and BertOutput, forward and backward: one module, used twice per
// layer — after the attention (in = H) and after the feed-forward block (in = I). RoBERTa and
// XLM-R copy BertSelfOutput/BertOutput; MPNetAttention and MPNetOutput do the same math.
// https://github.com/huggingface/transformers/blob/main/src/transformers/models/bert/modeling_bert.py
//   sum = residual + dropout(x·Wᵀ + b)    x (N, in), W (H, in) PyTorch layout, residual (N, H)
//   y   = LN(sum)                          y (N, H); sum and the LN mean/rstd (N) kept for backward
// The backward returns ∂L/∂sum, which is also ∂L/∂residual (the caller adds the rest of the
// residual input's gradient), and ∂L/∂x.

import Kernels

/// One BertSelfOutput / BertOutput: where its dense layer and LayerNorm lie in the parameter block.
struct ResidualOutput {
    let weight, bias, normWeight, normBias: Int
    let inFeatures: Int
    let hidden: Int
    let eps: Float
    /// Profiler labels of the dense layer, forward and backward.
    let forwardLabel, backwardLabel: StaticString

    /// What the forward keeps for the backward (N = tokens, H = hidden).
    final class Saved {
        let sum: FloatBuffer              // (N, H) the LayerNorm's input
        let mean: FloatBuffer, rstd: FloatBuffer  // (N)
        init(tokens N: Int, hidden H: Int) {
            sum = FloatBuffer(count: N * H)
            mean = FloatBuffer(count: N); rstd = FloatBuffer(count: N)
        }
    }

    /// BertSelfOutput (attention.output.dense + attention.output.LayerNorm; MPNet attention.attn.o +
    /// attention.LayerNorm): ctx (N, H) → h1 (N, H).
    static func attention(_ o: LayerOffsets, config: EncoderConfig) -> ResidualOutput {
        ResidualOutput(weight: o.attnOutWeight, bias: o.attnOutBias, normWeight: o.ln1Weight, normBias: o.ln1Bias,
                       inFeatures: config.hiddenSize, hidden: config.hiddenSize, eps: config.layerNormEps,
                       forwardLabel: "fwd attn-out linear", backwardLabel: "bwd attn-out linear")
    }

    /// BertOutput (output.dense + output.LayerNorm): GELU activations (N, I) → the layer's output (N, H).
    static func ffn(_ o: LayerOffsets, config: EncoderConfig) -> ResidualOutput {
        ResidualOutput(weight: o.ffnOutWeight, bias: o.ffnOutBias, normWeight: o.ln2Weight, normBias: o.ln2Bias,
                       inFeatures: config.intermediateSize, hidden: config.hiddenSize, eps: config.layerNormEps,
                       forwardLabel: "fwd ffn-out linear", backwardLabel: "bwd ffn-out linear")
    }

    // MARK: - Forward

    /// y = LN(residual + dropout(x·Wᵀ + b)) over N tokens; x (N, in), residual and y (N, H).
    func forward(y: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, residual: UnsafePointer<Float>,
                 saved s: Saved, n N: Int, parameters P: UnsafePointer<Float>, dropout site: DropoutSite?,
                 products: ProductInputs) {
        let H = hidden
        Profiler.section(forwardLabel) {
            Linear.forward(y: s.sum.pointer, x: x, weight: P + weight, bias: P + bias,
                           n: N, inFeatures: inFeatures, outFeatures: H, products: products)
        }
        Profiler.section("fwd dropout + residual") {
            if let site, site.isActive {
                Dropout.forward(y: s.sum.pointer, x: s.sum.pointer, count: N * H, site: site)
            }
            Elementwise.add(s.sum.pointer, residual, count: N * H)
        }
        Profiler.section("fwd layernorm") {
            LayerNorm.forward(y: y, mean: s.mean.pointer, rstd: s.rstd.pointer, x: s.sum.pointer,
                              gamma: P + normWeight, beta: P + normBias, n: N, c: H, eps: eps)
        }
    }

    // MARK: - Backward

    /// From dy = ∂L/∂y (N, H): writes dSum = ∂L/∂sum (N, H), also ∂L/∂residual, and dx = ∂L/∂x
    /// (N, in); accumulates the parameter gradients into G. x is the forward's input; `scratch`
    /// (N, H) takes the gradient before dropout, `lnScratch` the LayerNorm's per-thread partials.
    func backward(dx: UnsafeMutablePointer<Float>, dSum: UnsafeMutablePointer<Float>, dy: UnsafePointer<Float>,
                  x: UnsafePointer<Float>, saved s: Saved, n N: Int, parameters P: UnsafePointer<Float>,
                  gradients G: UnsafeMutablePointer<Float>, dropout site: DropoutSite?,
                  scratch: UnsafeMutablePointer<Float>, lnScratch: UnsafeMutablePointer<Float>, products: ProductInputs) {
        let H = hidden
        Profiler.section("bwd layernorm") {
            LayerNorm.backward(dx: dSum, dGamma: G + normWeight, dBeta: G + normBias, dy: dy, x: s.sum.pointer,
                               mean: s.mean.pointer, rstd: s.rstd.pointer, gamma: P + normWeight, n: N, c: H,
                               scratch: lnScratch, accumulate: false)
        }
        dropoutBackward(scratch, dSum, count: N * H, site: site)
        Profiler.section(backwardLabel) {
            Linear.backward(dx: dx, dWeight: G + weight, dBias: G + bias, dy: scratch, x: x, weight: P + weight,
                            n: N, inFeatures: inFeatures, outFeatures: H, accumulateInput: false, products: products)
        }
    }
}

/// dst = dropout′(src) (the mask of `site`), or a copy when there is no dropout.
func dropoutBackward(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, count: Int, site: DropoutSite?) {
    Profiler.section("bwd dropout") {
        if let site, site.isActive {
            Dropout.backward(dx: dst, dy: src, count: count, site: site, accumulate: false)
        } else {
            Elementwise.copy(dst, src, count: count)
        }
    }
}
