// A whole Mirror-BERT run over a corpus: epochs of planned batches through the trainer, a record
// per step, and held-out alignment/uniformity (Wang & Isola 2020) at the monitoring interval, so
// a run can be watched without labelled data.

import Foundation
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

public final class TrainingRun {
    public let trainer: MirrorTrainer
    public let corpus: MirrorCorpus
    public let plan: EpochPlan
    public let totalSteps: Int
    public private(set) var records: [TrainingRecord] = []
    private let start = Date()

    public init(encoder: Encoder, tokenizer: any Tokenizer, corpus: MirrorCorpus, options: TrainOptions) throws {
        trainer = try MirrorTrainer(encoder: encoder, tokenizer: tokenizer, options: options)
        self.corpus = corpus
        let plan = try EpochPlan(corpus: corpus, batchSize: options.batchSize, seed: options.seed,
                                 distinctTextsPerBatch: options.distinctTextsPerBatch,
                                 heldOutFraction: options.heldOutFraction)
        self.plan = plan
        totalSteps = (0..<options.epochs).reduce(0) { $0 + plan.batches(epoch: $1).count }
    }

    public var options: TrainOptions { trainer.options }
    public var elapsed: Double { Date().timeIntervalSince(start) }

    /// Runs every epoch; `onRecord` sees each step's record (and each monitoring record).
    /// `shouldStop` is polled between steps; returns false if the run was stopped early.
    @discardableResult
    public func run(onRecord: (TrainingRecord) -> Void = { _ in },
                    shouldStop: () -> Bool = { false }) throws -> Bool {
        if let r = try monitor(epoch: 0) { records.append(r); onRecord(r) }
        for epoch in 0..<options.epochs {
            var rng = trainer.augmentationRng(epoch: epoch)
            for batch in plan.batches(epoch: epoch) {
                if shouldStop() { return false }
                let (v1, v2) = trainer.views(batch.map { corpus.examples[$0] }, rng: &rng)
                let result = try trainer.step(view1: v1, view2: v2)
                let record = TrainingRecord(
                    step: trainer.step, epoch: epoch + 1, loss: result.loss, lr: result.learningRate,
                    tokens: result.tokens, paddedTokens: result.paddedTokens, seconds: elapsed)
                records.append(record)
                onRecord(record)
                if options.monitorEvery > 0, trainer.step % options.monitorEvery == 0, trainer.step < totalSteps,
                   let r = try monitor(epoch: epoch + 1) {
                    records.append(r); onRecord(r)
                }
            }
        }
        if let r = try monitor(epoch: options.epochs) { records.append(r); onRecord(r) }
        return true
    }

    /// Alignment and uniformity of the held-out slice (view 1 vs its span-masked view 2, no
    /// dropout), or nil without a held-out slice.
    public func monitor(epoch: Int) throws -> TrainingRecord? {
        guard !plan.heldOutIndices.isEmpty else { return nil }
        let examples = plan.heldOutIndices.map { corpus.examples[$0] }
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
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var data = Data()
        for r in records {
            data.append(try encoder.encode(r))
            data.append(0x0A)
        }
        return data
    }
}
