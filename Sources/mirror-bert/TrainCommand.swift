// mirror-bert train: the Mirror-BERT recipe on a text file, written as a new model folder.

import ArgumentParser
import Evaluation
import FileIO
import Foundation
import Kernels
import Models
import Training

extension CorpusMode: ExpressibleByArgument {}
extension RecomputePolicy: ExpressibleByArgument {}

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Fine-tune a checkpoint with Mirror-BERT (self-supervised contrastive learning on duplicated, augmented texts).",
        discussion: """
        Defaults follow the paper per mode — sentence: τ 0.04, max length 50, 1 epoch, mean pooling \
        (padding included), span mask 5; word: τ 0.2, max length 25, 2 epochs, cls pooling, no span \
        mask; pairs (lines "a||b"): τ 0.04, max length 50, 1 epoch, cls pooling. All modes: batch 200, \
        AdamW lr 2e-5, weight decay 0.01, dropout 0.1, seed 42. The output folder (config.json, \
        model.safetensors, tokenizer files, sentence-transformers files, train_log.jsonl, \
        loss_curve.svg) is written under a temporary name and renamed when complete.
        """)

    @OptionGroup var modelOptions: ModelOptions

    @Option(help: "Training text file: one sentence/phrase/word per line (pairs mode: a||b).")
    var corpus: String

    @Option(help: "Output model folder (replaced atomically if it exists).")
    var output: String

    @Option(help: "sentence | word | pairs")
    var mode: CorpusMode = .sentence

    @Option(help: "Epochs (default: 1 sentence/pairs, 2 word).") var epochs: Int?
    @Option(help: "Examples per batch; the loss sees 2× this many rows (default 200).") var batchSize: Int?
    @Option(help: "AdamW learning rate (default 2e-5).") var lr: Double?
    @Option(help: "AdamW decoupled weight decay (default 0.01).") var weightDecay: Double?
    @Option(help: "Linear learning-rate warm-up steps (default 0: none, as the reference).") var warmupSteps: Int?
    @Option(help: "InfoNCE temperature τ (default 0.04 sentence/pairs, 0.2 word).") var tau: Float?
    @Option(help: "Max tokens per text (default 50 sentence/pairs, 25 word).") var maxLength: Int?
    @Option(help: "Characters masked in view 2 (default 5 sentence, 0 word/pairs).") var spanMask: Int?
    @Option(help: "Text put in place of the masked span (default: the tokenizer's mask token).") var maskToken: String?
    @Option(help: "Dropout at embeddings, attention probabilities, attention and FFN outputs (default 0.1).") var dropout: Float?
    @Option(help: "Drophead probability per example, layer and head (default 0).") var drophead: Float?
    @Option(help: "cls | mean | mean-masked (default: mean sentence, cls word/pairs).") var pooling: Pooling?
    @Option(help: "Random seed (default 42).") var seed: UInt64?
    @Flag(help: "Pad every batch to --max-length as the reference does (always so for mean pooling).") var padToMax = false
    @Flag(help: "Allow repeated texts in one batch, as the reference does (they become false negatives).")
    var allowDuplicatesInBatch = false
    @Option(help: "Fraction of the corpus held out to report alignment and uniformity (default 0).") var heldOut: Double?
    @Option(help: "Report held-out alignment/uniformity every N steps (default: start and end only).") var monitorEvery: Int?
    @Option(help: "Also write a checkpoint folder every N steps into <output>-checkpoints/.") var saveEvery: Int?
    @Option(help: "Recompute layer activations in the backward pass instead of storing them: auto (when they would need over a quarter of memory) | on | off.")
    var recompute: RecomputePolicy = .auto

    func options() throws -> TrainOptions {
        var o = TrainOptions.defaults(for: mode)
        if let epochs { o.epochs = epochs }
        if let batchSize { o.batchSize = batchSize }
        if let lr { o.learningRate = lr }
        if let weightDecay { o.weightDecay = weightDecay }
        if let warmupSteps { o.warmupSteps = warmupSteps }
        if let tau { o.temperature = tau }
        if let maxLength { o.maxLength = maxLength }
        if let spanMask { o.spanMask = spanMask }
        if let maskToken { o.maskToken = maskToken }
        if let dropout { o.dropout = dropout }
        if let drophead { o.drophead = drophead }
        if let pooling { o.pooling = pooling }
        if let seed { o.seed = seed }
        if let heldOut { o.heldOutFraction = heldOut }
        if let monitorEvery { o.monitorEvery = monitorEvery }
        o.padToMax = padToMax
        o.recompute = recompute
        o.distinctTextsPerBatch = !allowDuplicatesInBatch
        if let problem = o.validationError() { throw ValidationError(problem) }
        if let saveEvery, saveEvery < 1 { throw ValidationError("--save-every must be at least 1") }
        return o
    }

    func run() throws {
        let options = try options()
        let corpusURL = URL(fileURLWithPath: corpus)
        let data = try MirrorCorpus.load(corpusURL, mode: mode)
        let ckpt = try modelOptions.load()
        let outputURL = URL(fileURLWithPath: output)
        let run = try TrainingRun(encoder: ckpt.encoder, tokenizer: ckpt.tokenizer, corpus: data, options: options)
        Console.note("""
            train: \(ckpt.directory.lastPathComponent), \(mode.rawValue) mode, \(data.count) examples\
            \(data.blankLines > 0 ? " (\(data.blankLines) blank lines skipped)" : ""), \
            \(run.plan.heldOutIndices.count > 0 ? "\(run.plan.heldOutIndices.count) held out, " : "")\
            \(run.totalSteps) steps of \(options.batchSize) × 2 views, τ \(options.temperature), \
            pooling \(options.pooling.rawValue), max length \(options.maxLength)\(options.padsToMax ? " (padded)" : "")\
            \(run.trainer.recomputes ? ", recomputing activations" : "")
            """)
        let progress = Progress("train", total: run.totalSteps)
        var tokens = 0
        var lastLoss: Float = .nan
        try run.run(onRecord: { r in
            if let loss = r.loss {
                lastLoss = loss
                tokens += r.tokens ?? 0
                let rate = Double(tokens) / max(run.elapsed, 1e-9)
                progress.update(r.step, extra: String(format: "loss %.4f  %.0f tok/s", loss, rate))
                if let every = saveEvery, r.step % every == 0, r.step < run.totalSteps {
                    let dir = URL(fileURLWithPath: output + "-checkpoints").appendingPathComponent(String(format: "step-%06d", r.step))
                    do {
                        try ckpt.save(to: dir, pooling: options.pooling, maxLength: options.maxLength,
                                      extra: ["train_log.jsonl": try run.logData()])
                    } catch { Console.note("warning: checkpoint at step \(r.step) not written: \(error)") }
                }
            } else if let a = r.alignment, let u = r.uniformity {
                progress.finish()
                Console.note(String(format: "held-out at step %d: alignment %.4f, uniformity %.4f", r.step, a, u))
            }
        })
        progress.finish()
        let losses = run.records.compactMap { r in r.loss.map { (Double(r.step), Double($0)) } }
        let chart = LineChart(title: "Mirror-BERT training loss", xLabel: "step", yLabel: "InfoNCE loss",
                              series: [LineSeries(name: "loss", x: losses.map(\.0), y: losses.map(\.1))])
        try ckpt.save(to: outputURL, pooling: options.pooling, maxLength: options.maxLength, extra: [
            "train_log.jsonl": try run.logData(),
            "loss_curve.svg": Data(chart.svg().utf8),
            "training_args.json": try trainingArguments(options, corpus: corpusURL, model: ckpt.directory),
        ])
        Console.note(String(format: "trained %d steps in %@ (final loss %.4f) → %@",
                            run.trainer.step, formatDuration(run.elapsed), lastLoss, outputURL.path))
    }

    func trainingArguments(_ o: TrainOptions, corpus: URL, model: URL) throws -> Data {
        let args: [String: Any] = [
            "model": model.path, "corpus": corpus.path, "mode": o.mode.rawValue, "epochs": o.epochs,
            "batch_size": o.batchSize, "lr": o.learningRate, "weight_decay": o.weightDecay,
            "warmup_steps": o.warmupSteps, "tau": Double(o.temperature), "max_length": o.maxLength,
            "span_mask": o.spanMask, "mask_token": o.maskToken ?? NSNull(), "dropout": Double(o.dropout),
            "drophead": Double(o.drophead), "pooling": o.pooling.rawValue, "seed": o.seed,
            "pad_to_max": o.padsToMax, "distinct_texts_per_batch": o.distinctTextsPerBatch,
            "held_out": o.heldOutFraction,
        ]
        return try JSONSerialization.data(withJSONObject: args, options: [.prettyPrinted, .sortedKeys])
    }
}
