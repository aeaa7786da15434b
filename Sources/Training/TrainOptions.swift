// The knobs of a Mirror-BERT run, with the paper's recipes as defaults per mode:
//   sentence: τ 0.04, max length 50, 1 epoch, mean pooling (padding included), span mask 5
//   word:     τ 0.2,  max length 25, 2 epochs, cls pooling, no span mask
//   pairs:    τ 0.04, max length 50, 1 epoch, cls pooling, no span mask (lines "a||b")
// and, for every mode: batch 200, AdamW lr 2e-5, weight decay 0.01, no schedule, dropout 0.1,
// no drophead, seed 42 (the reference's default random_seed).

import Foundation
import Models

/// Whether the backward pass recomputes layer activations instead of storing them.
public enum RecomputePolicy: String, Sendable, Equatable, CaseIterable {
    /// On when stored activations would take more than a quarter of physical memory.
    case auto
    case on
    case off
}

public struct TrainOptions: Sendable, Equatable {
    public var mode: CorpusMode
    public var epochs: Int
    public var batchSize: Int
    public var learningRate: Double
    public var weightDecay: Double
    /// Linear warm-up over this many steps (0: none, as the reference).
    public var warmupSteps: Int
    public var temperature: Float
    public var maxLength: Int
    /// Characters (Unicode scalars) masked in view 2 (0: none).
    public var spanMask: Int
    /// The string put in place of the masked span; nil = the tokenizer's mask token.
    public var maskToken: String?
    public var dropout: Float
    public var drophead: Float
    public var pooling: Pooling
    public var seed: UInt64
    /// Pad every row to `maxLength` (the reference) instead of packing rows without padding.
    /// Always on for `mean` pooling, whose result depends on the padding.
    public var padToMax: Bool
    /// Keep repeated texts out of one batch (they would be each other's false negatives).
    public var distinctTextsPerBatch: Bool
    /// Fraction of the corpus held out to report alignment and uniformity during training.
    public var heldOutFraction: Double
    /// Report held-out alignment/uniformity every this many steps (0: only at the end).
    public var monitorEvery: Int
    /// Activation recomputation (memory for about a third more compute).
    public var recompute: RecomputePolicy = .auto

    public static func defaults(for mode: CorpusMode) -> TrainOptions {
        var o = TrainOptions(
            mode: mode, epochs: 1, batchSize: 200, learningRate: 2e-5, weightDecay: 0.01, warmupSteps: 0,
            temperature: 0.04, maxLength: 50, spanMask: 5, maskToken: nil, dropout: 0.1, drophead: 0,
            pooling: .mean, seed: 42, padToMax: false, distinctTextsPerBatch: true, heldOutFraction: 0,
            monitorEvery: 0)
        switch mode {
        case .sentence: break
        case .word:
            o.temperature = 0.2; o.maxLength = 25; o.epochs = 2; o.pooling = .cls; o.spanMask = 0
        case .pairs:
            o.pooling = .cls; o.spanMask = 0
        }
        return o
    }

    /// True if rows are padded to `maxLength` (else packed without padding).
    public var padsToMax: Bool { padToMax || !pooling.isPaddingIndependent }

    /// Whether a run of `config` recomputes activations: `auto` turns it on when the stored
    /// activations of a full batch (2B rows of `maxLength`) would exceed a quarter of memory.
    public func recomputes(_ config: EncoderConfig) -> Bool {
        switch recompute {
        case .on: return true
        case .off: return false
        case .auto:
            let bytes = EncoderWorkspace.trainingBytes(config: config, batch: 2 * batchSize, sequence: maxLength,
                                                       recompute: false)
            return Double(bytes) > 0.25 * Double(ProcessInfo.processInfo.physicalMemory)
        }
    }

    /// A problem with the options, or nil.
    public func validationError() -> String? {
        if epochs < 1 { return "--epochs must be at least 1" }
        if batchSize < 1 { return "--batch-size must be at least 1" }
        if !(learningRate > 0 && learningRate.isFinite) { return "--lr must be positive" }
        if !(weightDecay >= 0 && weightDecay.isFinite) { return "--weight-decay must be ≥ 0" }
        if warmupSteps < 0 { return "--warmup-steps must be ≥ 0" }
        if !(temperature > 0 && temperature.isFinite) { return "--tau must be positive" }
        if maxLength < 2 { return "--max-length must be at least 2" }
        if spanMask < 0 { return "--span-mask must be ≥ 0" }
        if !(dropout >= 0 && dropout < 1) { return "--dropout must be in [0, 1)" }
        if !(drophead >= 0 && drophead < 1) { return "--drophead must be in [0, 1)" }
        if !(heldOutFraction >= 0 && heldOutFraction < 1) { return "--held-out must be in [0, 1)" }
        if monitorEvery < 0 { return "--monitor-every must be ≥ 0" }
        return nil
    }
}
