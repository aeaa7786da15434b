// A whole Mirror-BERT run over a corpus: epochs of planned batches through the trainer, a record
// per step, and held-out alignment/uniformity (Wang & Isola 2020) at the monitoring interval, so
// a run can be watched without labelled data.

import Foundation
import JSON
import Kernels
import Models
import Tokenizers

/// One line of train_log.jsonl.
public struct TrainingRecord: Codable, Sendable {
    public var step: Int
    public var epoch: Int
    public var loss: Float?
    public var lr: Double?
    public var tokens: Int?
    public var paddedTokens: Int?
    public var seconds: Double
    public var alignment: Double?
    public var uniformity: Double?

    enum CodingKeys: String, CodingKey {
        case step, epoch, loss, lr, tokens, seconds, alignment, uniformity
        case paddedTokens = "padded_tokens"
    }
}

/// Where a run stands between two steps: everything besides the weights and AdamW's moments that
/// the next step depends on. Epoch plans are pure functions of (seed, epoch), dropout seeds of
/// (seed, step); only the span-mask generator carries state across batches, so it is recorded.
public struct TrainingPosition: Equatable, Sendable {
    /// Optimizer steps taken.
    public var step: Int
    /// The epoch of the next batch (0-based; `epochs` when the run is complete).
    public var epoch: Int
    /// The index of the next batch within `epoch`'s plan.
    public var batch: Int
    /// The span-mask generator, positioned after the batches of `epoch` already taken.
    public var augmentationState: (UInt64, UInt64, UInt64, UInt64)

    public init(step: Int, epoch: Int, batch: Int, augmentationState: (UInt64, UInt64, UInt64, UInt64)) {
        self.step = step; self.epoch = epoch; self.batch = batch; self.augmentationState = augmentationState
    }

    public static func == (a: TrainingPosition, b: TrainingPosition) -> Bool {
        a.step == b.step && a.epoch == b.epoch && a.batch == b.batch
            && a.augmentationState == b.augmentationState
    }
}

public final class TrainingRun {
    public let trainer: MirrorTrainer
    public let corpus: MirrorCorpus
    public let plan: EpochPlan
    public let totalSteps: Int
    public private(set) var records: [TrainingRecord] = []
    /// Batches per epoch (epoch plans are pure functions, so this is known upfront).
    public let batchesPerEpoch: [Int]
    private let start = Date()
    private var epoch = 0
    private var batchIndex = 0
    private var augmentation: Rng
    /// Each epoch's batches, planned once: all upfront when distinct texts per batch make the
    /// counts differ (they are needed for `batchesPerEpoch`), otherwise when the epoch starts.
    /// An epoch's plan is released when the epoch ends.
    private var epochBatches: [[[Int]]?]

    public init(encoder: Encoder, tokenizer: any Tokenizer, corpus: MirrorCorpus, options: TrainOptions) throws {
        trainer = try MirrorTrainer(encoder: encoder, tokenizer: tokenizer, options: options)
        self.corpus = corpus
        let plan = try EpochPlan(corpus: corpus, batchSize: options.batchSize, seed: options.seed,
                                 distinctTextsPerBatch: options.distinctTextsPerBatch,
                                 heldOutFraction: options.heldOutFraction)
        self.plan = plan
        // Without distinct texts per batch every epoch has ⌊n/B⌋ batches; with it, epochs differ.
        if options.distinctTextsPerBatch {
            let planned = (0..<options.epochs).map { plan.batches(epoch: $0) }
            epochBatches = planned
            batchesPerEpoch = planned.map(\.count)
        } else {
            epochBatches = Array(repeating: nil, count: options.epochs)
            batchesPerEpoch = Array(repeating: plan.trainingIndices.count / options.batchSize, count: options.epochs)
        }
        totalSteps = batchesPerEpoch.reduce(0, +)
        augmentation = trainer.augmentationRng(epoch: 0)
    }

    public var options: TrainOptions { trainer.options }
    public var elapsed: Double { Date().timeIntervalSince(start) }

    /// The position after the last completed step.
    public var position: TrainingPosition {
        TrainingPosition(step: trainer.step, epoch: epoch, batch: batchIndex, augmentationState: augmentation.state)
    }

    /// True once every step has been taken.
    public var isComplete: Bool { trainer.step >= totalSteps }

    /// Continues from `position` (restored by the caller together with weights and moments, see
    /// `TrainingCheckpoint`), with the log so far. Throws if the position is not one this run
    /// could have reached: a different corpus, options or plan.
    public func resume(at position: TrainingPosition, records: [TrainingRecord]) throws {
        guard position.epoch >= 0 && position.epoch <= options.epochs,
              position.batch >= 0 && position.batch <= (position.epoch < options.epochs ? batchesPerEpoch[position.epoch] : 0),
              batchesPerEpoch.prefix(position.epoch).reduce(0, +) + position.batch == position.step,
              position.step == trainer.step
        else {
            throw TrainingError.positionMismatch(
                "checkpoint position (step \(position.step), epoch \(position.epoch + 1), batch \(position.batch)) does not fit "
                + "this run's plan (\(batchesPerEpoch) batches per epoch)")
        }
        epoch = position.epoch
        batchIndex = position.batch
        augmentation = trainer.augmentationRng(epoch: epoch)
        augmentation.state = position.augmentationState
        self.records = records
    }

    /// Runs the remaining steps of every epoch; `onRecord` sees each step's record (and each
    /// monitoring record); `afterStep` runs once a step and its monitoring are done (the place to
    /// write a checkpoint: `position` is then the state after that step). `shouldStop` is polled
    /// before each step; returns false if the run was stopped early.
    @discardableResult
    public func run(onRecord: (TrainingRecord) -> Void = { _ in },
                    afterStep: () throws -> Void = {},
                    shouldStop: () -> Bool = { false }) throws -> Bool {
        if trainer.step == 0 && records.isEmpty, let r = try monitor(epoch: 0) { records.append(r); onRecord(r) }
        while epoch < options.epochs {
            let batches = epochBatches[epoch] ?? plan.batches(epoch: epoch)
            epochBatches[epoch] = batches
            while batchIndex < batches.count {
                if shouldStop() { return false }
                let batch = batches[batchIndex]
                let (v1, v2) = trainer.views(batch.map { corpus.example($0) }, rng: &augmentation)
                let result = try trainer.step(view1: v1, view2: v2)
                batchIndex += 1
                let record = TrainingRecord(
                    step: trainer.step, epoch: epoch + 1, loss: result.loss, lr: result.learningRate,
                    tokens: result.tokens, paddedTokens: result.paddedTokens, seconds: elapsed)
                records.append(record)
                onRecord(record)
                if options.monitorEvery > 0, trainer.step % options.monitorEvery == 0, trainer.step < totalSteps,
                   let r = try monitor(epoch: epoch + 1) {
                    records.append(r); onRecord(r)
                }
                try afterStep()
            }
            epochBatches[epoch] = nil
            epoch += 1
            batchIndex = 0
            augmentation = trainer.augmentationRng(epoch: epoch)
        }
        if let r = try monitor(epoch: options.epochs) { records.append(r); onRecord(r) }
        return true
    }

    /// Alignment and uniformity of the held-out slice (view 1 vs its span-masked view 2, no
    /// dropout), or nil without a held-out slice.
    public func monitor(epoch: Int) throws -> TrainingRecord? {
        guard !plan.heldOutIndices.isEmpty else { return nil }
        let examples = plan.heldOutIndices.map { corpus.example($0) }
        var rng = Rng(seed: options.seed ^ 0x4E1D_0DD5)  // the same masks at every check
        let (v1, v2) = trainer.views(examples, rng: &rng)
        let embedder = try Embedder(encoder: trainer.encoder, tokenizer: trainer.tokenizer, options: EmbedOptions(
            pooling: options.pooling, maxLength: options.maxLength, batchSize: 64, normalize: true))
        let H = trainer.encoder.config.hiddenSize
        let a = FloatBuffer(count: examples.count * H), b = FloatBuffer(count: examples.count * H)
        try embedder.embed(v1, into: a.pointer)
        try embedder.embed(v2, into: b.pointer)
        return TrainingRecord(
            step: trainer.step, epoch: epoch, seconds: elapsed,
            alignment: Alignment.of(a.pointer, b.pointer, rows: examples.count, dim: H, normalized: true),
            uniformity: Uniformity.of(a.pointer, rows: examples.count, dim: H, normalized: true))
    }

    /// The log as JSON lines.
    public func logData() throws -> Data {
        var data = Data()
        let encoder = JSONValueEncoder()
        for r in records {
            data.append(contentsOf: try encoder.encode(r).serialized())
            data.append(0x0A)
        }
        return data
    }
}
