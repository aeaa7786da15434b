// The Mirror-BERT training loop: for each batch of B examples, encode view 1 and (span-masked)
// view 2 as one batch of 2B rows with dropout on, pool to E (2B, H), InfoNCE loss and ∂L/∂E,
// pooling backward, encoder backward into the gradient block, AdamW over the trainable ranges.
// Every random choice derives from the seed: the epoch plan, the span-mask starts and the
// per-step dropout/drophead seed, so two runs with one seed give bit-identical weights.

import Foundation
import Kernels
import Models
import Tokenizers

public struct StepResult: Sendable {
    public let step: Int
    public let loss: Float
    /// Real (non-padding) tokens, and all token positions processed in this step (padding or pad
    /// queries included).
    public let tokens: Int
    public let paddedTokens: Int
    public let learningRate: Double
}

public final class MirrorTrainer {
    public let encoder: Encoder
    public let tokenizer: any Tokenizer
    public let options: TrainOptions
    public private(set) var optimizer: AdamW
    let infoNCE: InfoNCE
    let gradients: FloatBuffer
    let firstMoment: FloatBuffer
    let secondMoment: FloatBuffer
    let workspace: EncoderWorkspace
    let trainableRanges: [Range<Int>]
    /// Pooled embeddings E (2B, H), ∂L/∂E and ∂L/∂hidden (tokens, H), grown as needed.
    private var pooled = FloatBuffer(count: 0), dPooled = FloatBuffer(count: 0), dHidden = FloatBuffer(count: 0)
    /// Steps taken so far.
    public var step: Int { optimizer.step }
    /// Whether the backward pass recomputes activations (see `RecomputePolicy`).
    public var recomputes: Bool { workspace.recompute }

    public init(encoder: Encoder, tokenizer: any Tokenizer, options: TrainOptions) throws {
        if let problem = options.problem() { throw TrainingError.invalidOption(problem) }
        guard encoder.precision.trains else { throw TrainingError.precisionCannotTrain(encoder.precision.rawValue) }
        guard options.maxLength <= encoder.config.maxSequenceLength else {
            throw TrainingError.invalidOption(.init(
                key: .maxLength,
                message: "\(options.maxLength) exceeds the model's limit of \(encoder.config.maxSequenceLength) tokens"))
        }
        self.encoder = encoder
        self.tokenizer = tokenizer
        self.options = options
        optimizer = AdamW(options: AdamW.Options(
            learningRate: options.learningRate, weightDecay: options.weightDecay, warmupSteps: options.warmupSteps))
        optimizer.threads = Parallel.threads
        infoNCE = InfoNCE(temperature: options.temperature)
        let n = encoder.layout.totalCount
        gradients = FloatBuffer(count: n)
        firstMoment = FloatBuffer(count: n)
        secondMoment = FloatBuffer(count: n)
        workspace = EncoderWorkspace(config: encoder.config, training: true, recompute: options.recomputes(encoder.config))
        trainableRanges = encoder.layout.trainableRanges
    }

    /// The mask string put into view 2.
    public var maskToken: String { options.maskToken ?? tokenizer.maskToken }

    /// One step on texts: view1[i] and view2[i] are a positive pair (view 2 already augmented).
    public func step(view1: [String], view2: [String]) throws -> StepResult {
        precondition(view1.count == view2.count && !view1.isEmpty, "two views of the same batch")
        let encodings = Profiler.section("tokenize") { (view1 + view2).map { tokenizer.encode($0, maxLength: options.maxLength) } }
        // Padding-free (packed) rows unless the pooling depends on padding or --pad-to-max asks for
        // it; mean pooling with pad queries packs each row with a few of its padding positions.
        let input: EncoderInput
        if let k = options.padQueries {
            input = try EncoderInput(packing: encodings, padQueries: k, paddedLength: options.maxLength,
                                     padTokenId: tokenizer.padTokenId, config: encoder.config)
        } else {
            input = try EncoderInput(encodings, padTo: options.maxLength, packed: !options.padsToMax,
                                     padTokenId: tokenizer.padTokenId, config: encoder.config)
        }
        return try step(input: input)
    }

    /// One step on a padded token batch of 2B rows: rows 0..<B view 1, rows B..<2B view 2.
    public func step(tokens: TokenBatch) throws -> StepResult {
        try step(input: try EncoderInput(tokens, config: encoder.config))
    }

    /// One step on an encoder input of 2B rows: rows 0..<B view 1, rows B..<2B view 2.
    public func step(input: EncoderInput) throws -> StepResult {
        precondition(input.batch % 2 == 0, "a Mirror batch has 2B rows")
        let H = encoder.config.hiddenSize, rows = input.batch
        let noise: Noise? = options.dropout > 0 || options.drophead > 0
            ? Noise(hiddenDropout: options.dropout, attentionDropout: options.dropout, drophead: options.drophead,
                    seed: splitMix64(options.seed ^ 0x5EED) &+ UInt64(step))
            : nil

        encoder.refreshRoundedWeights()  // under bf16: the copy the products read, once per step
        let hidden = encoder.forward(input, workspace: workspace, noise: noise)
        if pooled.count < rows * H { pooled = FloatBuffer(count: rows * H); dPooled = FloatBuffer(count: rows * H) }
        if dHidden.count < input.tokens * H { dHidden = FloatBuffer(count: input.tokens * H) }
        let loss = Profiler.section("pooling + InfoNCE") { () -> Float in
            options.pooling.forward(pooled.pointer, hidden: hidden, input: input, hiddenSize: H)
            let loss = infoNCE.forward(embeddings: pooled.pointer, rows: rows, dim: H, gradient: dPooled.pointer)
            options.pooling.backward(dHidden.pointer, dOut: dPooled.pointer, input: input, hiddenSize: H)
            return loss
        }
        guard loss.isFinite else {
            throw TrainingError.diverged(step: step + 1, loss: loss)
        }
        Profiler.section("zero gradients") { Elementwise.zero(gradients.pointer, count: gradients.count) }
        encoder.backward(input, dHidden: dHidden.pointer, workspace: workspace, gradients: gradients, noise: noise)
        let lr = optimizer.learningRate(atStep: step + 1)
        Profiler.section("AdamW") {
            optimizer.update(parameters: encoder.parameters.pointer, gradients: gradients.pointer,
                             firstMoment: firstMoment.pointer, secondMoment: secondMoment.pointer,
                             count: encoder.layout.totalCount, ranges: trainableRanges)
        }
        let real = input.keep.reduce(0) { $0 + Int($1) }
        return StepResult(step: step, loss: loss, tokens: real, paddedTokens: input.tokens, learningRate: lr)
    }

    /// The two views of a batch of corpus examples: view 2 span-masked with draws from `rng`.
    public func views(_ examples: [MirrorExample], rng: inout Rng) -> (view1: [String], view2: [String]) {
        let mask = maskToken
        let v2 = examples.map { SpanMask.apply($0.view2, spanLength: options.spanMask, maskToken: mask, rng: &rng) }
        return (examples.map(\.view1), v2)
    }

    // MARK: - Optimizer state (checkpoints)

    /// AdamW's first and second moments (m, v), laid out like the parameters.
    public var moments: (first: UnsafeBufferPointer<Float>, second: UnsafeBufferPointer<Float>) {
        (UnsafeBufferPointer(start: firstMoment.pointer, count: firstMoment.count),
         UnsafeBufferPointer(start: secondMoment.pointer, count: secondMoment.count))
    }

    /// Restores the optimizer after `step` updates: `fill(m, v)` writes both moments (each the
    /// parameter count long). The parameters themselves live in the encoder, loaded by the caller.
    public func restoreOptimizer(step: Int, _ fill: (UnsafeMutableBufferPointer<Float>, UnsafeMutableBufferPointer<Float>) throws -> Void) rethrows {
        precondition(step >= 0, "negative step")
        try fill(firstMoment.buffer, secondMoment.buffer)
        var restored = AdamW(options: optimizer.options, step: step)
        restored.threads = optimizer.threads
        optimizer = restored
    }

    /// The span-mask generator for an epoch (a pure function of seed and epoch).
    public func augmentationRng(epoch: Int) -> Rng {
        Rng(seed: splitMix64(options.seed ^ 0xA11C_E5A5) &+ UInt64(epoch))
    }
}
