// The encoder (HF BertModel / RobertaModel / XLMRobertaModel / MPNetModel without the pooler),
// forward and backward over the parameter block. Mirrors transformers/models/bert/modeling_bert.py
// (RoBERTa and MPNet differ only as ModelFamily describes): embeddings, then per layer
//   BertSelfAttention:  qkv = x·Wqkvᵀ + b;  ctx = softmax(QKᵀ/√d + mask)·V  (per head)
//   BertSelfOutput:     h1 = LN(x + dropout(ctx·Woᵀ + bo))      (ResidualOutput.swift)
//   BertIntermediate:   f = GELU(h1·W1ᵀ + b1)
//   BertOutput:         y = LN(h1 + dropout(f·W2ᵀ + b2))        (ResidualOutput.swift)
// (post-LN; MPNet adds its relative position bias to the scores). Shapes: N = B·T tokens,
// H hidden, I intermediate. As in HF, the padding_idx rows of the word embeddings (and, for the
// RoBERTa-style families, of the position embeddings) receive no gradient.
// Products run in `precision` (Kernels/Precision.swift); under bf16 the four weight matrices of
// every layer have a rounded copy, refreshed by `refreshRoundedWeights()` after the parameters
// change, and the attention's Q/K/V (read only by products) are rounded in place; under int8
// (inference) they have an int8 copy made by `setPrecision`, for weights that no longer change.

import Kernels

public final class Encoder {
    public let config: EncoderConfig
    public let layout: ParameterLayout
    /// The parameter block, `layout.totalCount` floats.
    public let parameters: FloatBuffer
    let embeddingOffsets: EmbeddingOffsets
    let layerOffsets: [LayerOffsets]
    /// The precision of the matrix products (fp32 unless `setPrecision` says otherwise).
    public private(set) var precision: Precision = .fp32
    /// Under bf16: the rounded copy of every layer's weight matrices.
    private var roundedWeights: RoundedWeights?
    private var quantizedWeights: QuantizedWeights?

    public init(config: EncoderConfig, layout: ParameterLayout, parameters: FloatBuffer) {
        precondition(parameters.count == layout.totalCount, "parameter block does not match the layout")
        self.config = config
        self.layout = layout
        self.parameters = parameters
        embeddingOffsets = EmbeddingOffsets(layout)
        layerOffsets = (0..<config.layers).map { LayerOffsets(layout, names: config.family.names, layer: $0) }
    }

    /// Runs the products in `precision` from now on (a bf16 precision rounds the weights now).
    public func setPrecision(_ precision: Precision) {
        self.precision = precision
        roundedWeights = nil; quantizedWeights = nil
        let H = config.hiddenSize, I = config.intermediateSize
        var matrices: [(offset: Int, rows: Int, cols: Int)] = []
        for o in layerOffsets {  // (3H, H), (H, H), (I, H), (H, I)
            matrices += [(o.qkvWeight, 3 * H, H), (o.attnOutWeight, H, H), (o.ffnInWeight, I, H), (o.ffnOutWeight, H, I)]
        }
        if precision.roundsToBF16 {
            roundedWeights = RoundedWeights(precision: precision, base: parameters.pointer,
                                            ranges: matrices.map { $0.offset..<($0.offset + $0.rows * $0.cols) })
            roundedWeights?.refresh()
        } else if precision == .int8 {
            quantizedWeights = QuantizedWeights(base: parameters.pointer, matrices: matrices)
        }
    }

    /// Re-rounds the bf16 weight copy from the fp32 parameters; call after changing them (the
    /// trainer does once per step). Nothing to do in fp32; int8 is for fixed weights (inference).
    public func refreshRoundedWeights() {
        roundedWeights?.refresh()
    }

    /// The workspace's product scratch, in this encoder's precision and reading its weight copy.
    func products(_ ws: EncoderWorkspace) -> ProductInputs {
        if ws.products.precision != precision || ws.products.weights !== roundedWeights
            || ws.products.quantized !== quantizedWeights {
            ws.products = ProductInputs(precision: precision, weights: roundedWeights, quantized: quantizedWeights)
        }
        return ws.products
    }

    /// The embedding tables and the input index arrays that select their rows.
    func embeddingLookups(_ input: EncoderInput, _ body: ([EmbeddingTable], [UnsafePointer<Int32>]) -> Void) {
        let P = UnsafePointer(parameters.pointer), e = embeddingOffsets
        input.ids.withUnsafeBufferPointer { ids in
            input.positions.withUnsafeBufferPointer { pos in
                input.typeIds.withUnsafeBufferPointer { types in
                    var tables = [EmbeddingTable(weights: P + e.word, rows: config.vocabSize),
                                  EmbeddingTable(weights: P + e.position, rows: config.maxPositions)]
                    var indices = [ids.baseAddress!, pos.baseAddress!]
                    if let t = e.tokenType {
                        tables.append(EmbeddingTable(weights: P + t, rows: config.typeVocabSize))
                        indices.append(types.baseAddress!)
                    }
                    body(tables, indices)
                }
            }
        }
    }

    // MARK: - Forward

    /// Runs the encoder; returns the last hidden state (input.tokens, H), valid until the workspace's
    /// next use.
    /// With `noise`, dropout/drophead are applied as in training mode.
    @discardableResult
    public func forward(_ input: EncoderInput, workspace ws: EncoderWorkspace, noise: Noise? = nil) -> UnsafeMutablePointer<Float> {
        precondition(ws.config == config, "workspace built for another config")
        let attention = attentionLayout(input)
        Profiler.section("allocate workspace") { ws.reserve(input, attention: attention) }
        let N = input.tokens, H = config.hiddenSize
        let P = UnsafePointer(parameters.pointer)
        let e = embeddingOffsets

        // Embeddings: LN(word + position + type), then dropout.
        let x0 = ws.input(layer: 0).pointer
        Profiler.section("fwd embeddings") {
            embeddingLookups(input) { tables, indices in
                Embedding.forward(out: ws.embSum.pointer, tables: tables, indices: indices, n: N, hidden: H)
            }
            LayerNorm.forward(y: x0, mean: ws.embMean.pointer, rstd: ws.embRstd.pointer, x: ws.embSum.pointer,
                              gamma: P + e.lnWeight, beta: P + e.lnBias, n: N, c: H, eps: config.layerNormEps)
            if let noise, noise.hiddenDropout > 0 {
                Dropout.forward(y: x0, x: x0, count: N * H, site: noise.embeddingSite())
            }
        }

        let bias = relativeBias(sequence: input.sequence, workspace: ws)
        if let noise, noise.drophead > 0, ws.headScales.count != config.layers || ws.headScales[0].count < input.batch * config.heads {
            ws.headScales = (0..<config.layers).map { _ in FloatBuffer(count: input.batch * config.heads) }
        }
        for l in 0..<config.layers { forwardLayer(l, input, attention: attention, workspace: ws, noise: noise, bias: bias) }
        return ws.output(layer: config.layers - 1).pointer
    }

    /// Where `input`'s rows lie, for the attention kernels.
    func attentionLayout(_ input: EncoderInput) -> AttentionLayout {
        AttentionLayout(heads: config.heads, headDim: config.headDim, offsets: input.offsets, lengths: input.lengths)
    }

    /// Layer l: from ws.input(l) to ws.output(l), saving what its backward needs in
    /// ws.activations(l). Deterministic given `noise`, so the backward pass can rerun it.
    func forwardLayer(_ l: Int, _ input: EncoderInput, attention: AttentionLayout, workspace ws: EncoderWorkspace,
                      noise: Noise?, bias: UnsafePointer<Float>?) {
        let N = input.tokens, H = config.hiddenSize, I = config.intermediateSize
        let P = UnsafePointer(parameters.pointer)
        let o = layerOffsets[l], a = ws.activations(layer: l), products = products(ws)
        let x = ws.input(layer: l).pointer, y = ws.output(layer: l).pointer
        // Self-attention. Q, K and V are read only by products: under bf16 they are rounded once here.
        Profiler.section("fwd qkv linear") {
            Linear.forward(y: a.qkv.pointer, x: x, weight: P + o.qkvWeight, bias: P + o.qkvBias,
                           n: N, inFeatures: H, outFeatures: 3 * H, products: products)
            products.roundInPlace(a.qkv.pointer, count: N * 3 * H)
        }
        var headScale: UnsafePointer<Float>? = nil
        if let noise, noise.drophead > 0 {
            noise.fillHeadScales(ws.headScales[l].pointer, layer: l, batch: input.batch, heads: config.heads)
            headScale = UnsafePointer(ws.headScales[l].pointer)
        }
        Profiler.section("fwd attention") {
            input.keep.withUnsafeBufferPointer { keep in
                Attention.forward(ctx: a.ctx.pointer, probs: a.probs.pointer, probsUsed: ws.training ? a.probsUsed.pointer : nil,
                                  qkv: a.qkv.pointer,
                                  keep: keep.baseAddress!, layout: attention, dropout: noise?.probabilitySite(layer: l),
                                  headScale: headScale, bias: bias, roundsProducts: precision.roundsToBF16,
                                  scratch: ws.attentionScratch.pointer)
            }
        }
        // BertSelfOutput: h1 = LN(x + dropout(ctx·Woᵀ + bo)).
        ResidualOutput.attention(o, config: config).forward(
            y: a.h1.pointer, x: a.ctx.pointer, residual: x, saved: a.attentionOutput, n: N, parameters: P,
            dropout: noise?.attentionOutputSite(layer: l), products: products)
        // Feed-forward: BertIntermediate, then BertOutput: y = LN(h1 + dropout(GELU(h1·W1ᵀ + b1)·W2ᵀ + b2)).
        Profiler.section("fwd ffn-in linear") {
            Linear.forward(y: a.ffnPre.pointer, x: a.h1.pointer, weight: P + o.ffnInWeight, bias: P + o.ffnInBias,
                           n: N, inFeatures: H, outFeatures: I, products: products)
        }
        Profiler.section("fwd gelu") {
            GELU.forward(y: a.ffnAct.pointer, x: a.ffnPre.pointer, count: N * I)
        }
        ResidualOutput.ffn(o, config: config).forward(
            y: y, x: a.ffnAct.pointer, residual: a.h1.pointer, saved: a.ffnOutput, n: N, parameters: P,
            dropout: noise?.ffnOutputSite(layer: l), products: products)
    }

    /// MPNet: the (heads, T, T) relative position bias for rows up to T tokens (row b uses the
    /// top-left L_b × L_b block); nil otherwise.
    private func relativeBias(sequence T: Int, workspace ws: EncoderWorkspace) -> UnsafePointer<Float>? {
        guard let offset = embeddingOffsets.relativeBias else { return nil }
        if ws.biasBuckets.count != T * T {
            ws.biasBuckets = RelativePositionBias.buckets(sequence: T, buckets: config.relativeAttentionBuckets)
        }
        if ws.relativeBias.count < config.heads * T * T {
            ws.relativeBias = FloatBuffer(count: config.heads * T * T)
            ws.relativeBiasGradient = FloatBuffer(count: config.heads * T * T)
        }
        RelativePositionBias.expand(ws.relativeBias.pointer, table: parameters.pointer + offset, buckets: ws.biasBuckets,
                                    heads: config.heads, sequence: T)
        return UnsafePointer(ws.relativeBias.pointer)
    }
}
