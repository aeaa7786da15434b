// The knobs of a Mirror-BERT run, with the paper's recipes as defaults per mode:
//   sentence: τ 0.04, max length 50, 1 epoch, mean pooling (padding included), span mask 5
//   word:     τ 0.2,  max length 25, 2 epochs, cls pooling, no span mask
//   pairs:    τ 0.04, max length 50, 1 epoch, cls pooling, no span mask (lines "a||b")
// and, for every mode: batch 200, AdamW lr 2e-5, weight decay 0.01, no schedule, dropout 0.1,
// no drophead, seed 42 (the reference's default random_seed).

import Foundation
import Models

/// Whether the backward pass recomputes layer activations instead of storing them.
public enum RecomputePolicy: String, Sendable, Equatable, CaseIterable, Codable {
    /// On when stored activations would take more than a quarter of physical memory.
    case auto
    case on
    case off
}

/// Serialized (trainer_state.json, training_args.json) as one JSON object with Hugging Face's key
/// style, one key per field, numbers as given (`0.1`, not `0.10000000149011612`):
///   {"mode", "epochs", "batch_size", "lr", "weight_decay", "warmup_steps", "tau", "max_length",
///    "span_mask", "mask_token" (absent: the tokenizer's), "dropout", "drophead", "pooling", "seed",
///    "pad_to_max" (the flag; padding is also forced by mean pooling without pad queries),
///    "pad_queries" (absent: none, mean pads rows), "distinct_texts_per_batch", "held_out",
///    "monitor_every", "recompute"}
/// Every other key is required, so a file written by another version fails naming the key
/// instead of silently taking a default (files from before "pad_queries" decode as without them).
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
    /// Always on for `mean` pooling without `padQueries`, whose result depends on the padding.
    public var padToMax: Bool
    /// `mean` pooling on packed rows, each followed by at most this many of its padding positions
    /// as query-only tokens weighted to stand for all of them (EncoderInput's pad queries),
    /// instead of padding rows to `maxLength`; nil: padded rows.
    public var padQueries: Int?
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
            pooling: .mean, seed: 42, padToMax: false, padQueries: nil, distinctTextsPerBatch: true, heldOutFraction: 0,
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

    /// Pad queries per row of the command line's sentence default: `mean` pooling on packed rows with
    /// 2 of each row's padding positions as weighted query-only tokens, chosen by the seed study of
    /// Benchmarks/results/seed-study.md (the fastest arm within the paper's padded mean's seed
    /// spread: 6.7k positions a step instead of 20k). `--pad-to-max` gives the paper's exact recipe.
    public static let sentencePadQueries = 2

    /// The command line's defaults: the paper's (`defaults(for:)`), but for `sentence` mode its
    /// `mean` is computed on packed rows with `sentencePadQueries` pad queries.
    public static func commandLineDefaults(for mode: CorpusMode) -> TrainOptions {
        var o = defaults(for: mode)
        if mode == .sentence { o.padQueries = sentencePadQueries }
        return o
    }

    /// True if rows are padded to `maxLength` (else packed, without padding or with pad queries).
    public var padsToMax: Bool { padToMax || (!pooling.isPaddingIndependent && padQueries == nil) }

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

    // MARK: - Validation

    /// An option out of range: `key` is its JSON key ("batch_size"); the command line names the
    /// flag that sets it.
    public struct Problem: Sendable, Equatable {
        public var key: CodingKeys
        public var message: String
    }

    /// The first problem with the options, or nil.
    public func problem() -> Problem? {
        func p(_ key: CodingKeys, _ message: String) -> Problem { Problem(key: key, message: message) }
        if epochs < 1 { return p(.epochs, "must be at least 1") }
        if batchSize < 1 { return p(.batchSize, "must be at least 1") }
        if !(learningRate > 0 && learningRate.isFinite) { return p(.learningRate, "must be positive") }
        if !(weightDecay >= 0 && weightDecay.isFinite) { return p(.weightDecay, "must be ≥ 0") }
        if warmupSteps < 0 { return p(.warmupSteps, "must be ≥ 0") }
        if !(temperature > 0 && temperature.isFinite) { return p(.temperature, "must be positive") }
        if maxLength < 2 { return p(.maxLength, "must be at least 2") }
        if spanMask < 0 { return p(.spanMask, "must be ≥ 0") }
        if !(dropout >= 0 && dropout < 1) { return p(.dropout, "must be in [0, 1)") }
        if !(drophead >= 0 && drophead < 1) { return p(.drophead, "must be in [0, 1)") }
        if !(heldOutFraction >= 0 && heldOutFraction < 1) { return p(.heldOutFraction, "must be in [0, 1)") }
        if monitorEvery < 0 { return p(.monitorEvery, "must be ≥ 0") }
        if let padQueries {
            if padQueries < 1 { return p(.padQueries, "must be at least 1") }
            if pooling != .mean {
                return p(.padQueries, "applies only to mean pooling (\(pooling.rawValue) does not depend on padding)")
            }
            if padToMax { return p(.padQueries, "conflicts with pad_to_max: pad queries replace padding rows to max length") }
        }
        return nil
    }
}

// MARK: - Codable

extension TrainOptions: Codable {
    public enum CodingKeys: String, CodingKey, CaseIterable, Sendable {
        case mode, epochs, batchSize = "batch_size", learningRate = "lr", weightDecay = "weight_decay"
        case warmupSteps = "warmup_steps", temperature = "tau", maxLength = "max_length", spanMask = "span_mask"
        case maskToken = "mask_token", dropout, drophead, pooling, seed, padToMax = "pad_to_max", padQueries = "pad_queries"
        case distinctTextsPerBatch = "distinct_texts_per_batch", heldOutFraction = "held_out"
        case monitorEvery = "monitor_every", recompute
    }
}
