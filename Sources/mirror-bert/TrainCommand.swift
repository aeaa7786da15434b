// mirror-bert train: the Mirror-BERT recipe on a text file, written as a new model folder.

import ArgumentParser
import Charts
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
        loss_curve.svg) is written under a temporary name and renamed when complete. \
        Checkpoints (--save-every, and on SIGINT/SIGTERM, which end the run after the current step) \
        go to <output>-checkpoints/step-NNNNNN and are resumable: `train --resume DIR` continues from \
        one (DIR or <output>-checkpoints for the latest) to the same weights an uninterrupted run gives.
        """)

    @OptionGroup var modelOptions: ModelOptions

    @Option(help: "Training text file: one sentence/phrase/word per line (pairs mode: a||b). With --resume: the checkpoint's.")
    var corpus: String?

    @Option(help: "Output model folder (replaced atomically if it exists). With --resume: the checkpoint's.")
    var output: String?

    @Option(help: "Continue from a checkpoint folder (or <output>-checkpoints: its latest step), with its options.")
    var resume: String?

    @Option(help: "sentence | word | pairs (default sentence)")
    var mode: CorpusMode?

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
    @Option(help: "Recompute layer activations in the backward pass instead of storing them: auto (when they would need over a quarter of memory) | on | off (default auto).")
    var recompute: RecomputePolicy?

    /// Options for a new run: the mode's defaults, then the flags.
    func options() throws -> TrainOptions {
        var o = try applyFlags(to: TrainOptions.defaults(for: mode ?? .sentence))
        o.padToMax = padToMax
        o.distinctTextsPerBatch = !allowDuplicatesInBatch
        o.recompute = recompute ?? .auto
        if let problem = o.validationError() { throw ValidationError(problem) }
        return o
    }

    /// Options for a resumed run: the checkpoint's; a flag given anyway must agree with them
    /// (only --recompute, which does not change the results, may differ).
    func resumedOptions(_ stored: TrainOptions) throws -> TrainOptions {
        var o = try applyFlags(to: stored)
        if let mode { o.mode = mode }
        if padToMax { o.padToMax = true }
        if allowDuplicatesInBatch { o.distinctTextsPerBatch = false }
        if let recompute { o.recompute = recompute }
        var same = o
        same.recompute = stored.recompute
        if same != stored {
            let given = trainingArgumentStrings(same), saved = trainingArgumentStrings(stored)
            let differing = given.keys.sorted().filter { given[$0] != saved[$0] }
                .map { "\($0) \(given[$0]!) (checkpoint: \(saved[$0]!))" }
            throw ValidationError("--resume continues with the checkpoint's options; these flags differ: "
                                  + differing.joined(separator: ", "))
        }
        return o
    }

    private func applyFlags(to base: TrainOptions) throws -> TrainOptions {
        var o = base
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
        if let saveEvery, saveEvery < 1 { throw ValidationError("--save-every must be at least 1") }
        return o
    }

    func run() throws {
        let interrupts = Interrupts.install()
        defer { interrupts.uninstall() }

        // What to train: a new run from --model, or a checkpoint's run.
        let options: TrainOptions, corpusURL: URL, outputURL: URL, modelPath: String, ckpt: Checkpoint
        var resumeFrom: (dir: URL, state: TrainerState)? = nil
        if let resume {
            let dir = try TrainingCheckpoint.locate(URL(fileURLWithPath: resume))
            let state = try TrainingCheckpoint.readState(dir)
            options = try resumedOptions(state.options)
            corpusURL = URL(fileURLWithPath: corpus ?? state.corpusPath)
            outputURL = URL(fileURLWithPath: output ?? state.output)
            modelPath = state.model
            ckpt = try Checkpoint.load(dir)
            resumeFrom = (dir, state)
        } else {
            guard let corpus else { throw ValidationError("--corpus is required (unless --resume is given)") }
            guard let output else { throw ValidationError("--output is required (unless --resume is given)") }
            options = try self.options()
            corpusURL = URL(fileURLWithPath: corpus)
            outputURL = URL(fileURLWithPath: output)
            ckpt = try modelOptions.load()
            modelPath = ckpt.directory.path
        }
        let data = try MirrorCorpus.load(corpusURL, mode: options.mode)
        let run = try TrainingRun(encoder: ckpt.encoder, tokenizer: ckpt.tokenizer, corpus: data, options: options)
        if let resumeFrom { try TrainingCheckpoint.restore(run, from: resumeFrom.dir, state: resumeFrom.state) }
        let checkpoints = URL(fileURLWithPath: outputURL.path + "-checkpoints")
        var folders = [checkpoints.standardizedFileURL]
        if let dir = resumeFrom?.dir.deletingLastPathComponent().standardizedFileURL, !folders.contains(dir) { folders.append(dir) }
        for folder in folders {
            for name in AtomicDirectory.recoverStale(in: folder) {
                Console.note("train: cleaned up \(name), left in \(folder.path) by a run that was killed")
            }
        }
        Console.note("""
            train: \(resumeFrom.map { "resuming \($0.dir.path) at step \($0.state.position.step), " } ?? "")\
            \(resumeFrom == nil ? ckpt.directory.lastPathComponent + ", " : "")\(options.mode.rawValue) mode, \(data.count) examples\
            \(data.blankLines > 0 ? " (\(data.blankLines) blank lines skipped)" : ""), \
            \(run.plan.heldOutIndices.count > 0 ? "\(run.plan.heldOutIndices.count) held out, " : "")\
            \(run.totalSteps) steps of \(options.batchSize) × 2 views, τ \(options.temperature), \
            pooling \(options.pooling.rawValue), max length \(options.maxLength)\(options.padsToMax ? " (padded)" : "")\
            \(options.spanMask > 0 ? ", span mask \(options.spanMask) → \(run.trainer.maskToken)" : "")\
            \(run.trainer.recomputes ? ", recomputing activations" : "")
            """)

        var lastSaved = resumeFrom?.state.position.step
        func saveCheckpoint() throws -> URL {
            let dir = checkpoints.appendingPathComponent(String(format: "step-%06d", run.trainer.step))
            try TrainingCheckpoint.save(run, model: ckpt, to: dir, modelPath: modelPath, output: outputURL.path,
                                        beforeCommit: testPauseBeforeCommit)
            lastSaved = run.trainer.step
            return dir
        }
        let progress = Progress("train", total: run.totalSteps)
        var tokens = 0
        var lastLoss: Float = run.records.last(where: { $0.loss != nil })?.loss ?? .nan
        let completed = try run.run(onRecord: { r in
            if let loss = r.loss {
                lastLoss = loss
                tokens += r.tokens ?? 0
                let rate = Double(tokens) / max(run.elapsed, 1e-9)
                progress.update(r.step, extra: String(format: "loss %.4f  %.0f tok/s", loss, rate))
            } else if let a = r.alignment, let u = r.uniformity {
                progress.finish()
                Console.note(String(format: "held-out at step %d: alignment %.4f, uniformity %.4f", r.step, a, u))
            }
        }, afterStep: {
            if let every = saveEvery, run.trainer.step % every == 0, !run.isComplete {
                do { _ = try saveCheckpoint() } catch {
                    Console.note("warning: checkpoint at step \(run.trainer.step) not written: \(error)")
                }
            }
        }, shouldStop: { interrupts.received != nil })
        progress.finish()

        if !completed, let signal = interrupts.received {
            let name = signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : "signal \(signal)"
            guard run.trainer.step > 0 else {
                Console.note("train: \(name) before the first step; nothing to save")
                throw ExitCode(128 + signal)
            }
            let dir = lastSaved == run.trainer.step
                ? checkpoints.appendingPathComponent(String(format: "step-%06d", run.trainer.step))
                : try saveCheckpoint()
            Console.note("""
                train: \(name) at step \(run.trainer.step) of \(run.totalSteps); checkpoint in \(dir.path)
                resume with: mirror-bert train --resume \(shellQuoted(dir.path))
                """)
            throw ExitCode(128 + signal)
        }
        let losses = run.records.compactMap { r in r.loss.map { (Double(r.step), Double($0)) } }
        let chart = LineChart(title: "Mirror-BERT training loss", xLabel: "step", yLabel: "InfoNCE loss",
                              series: [LineSeries(name: "loss", x: losses.map(\.0), y: losses.map(\.1))])
        try ckpt.save(to: outputURL, pooling: options.pooling, maxLength: options.maxLength, extra: [
            "train_log.jsonl": try run.logData(),
            "loss_curve.svg": Data(chart.svg().utf8),
            "training_args.json": try trainingArguments(options, corpus: corpusURL, model: URL(fileURLWithPath: modelPath)),
        ])
        Console.note(String(format: "trained %d steps in %@ (final loss %.4f) → %@",
                            run.trainer.step, formatDuration(run.elapsed), lastLoss, outputURL.path))
    }

    /// Test-only hook: MIRROR_BERT_TEST_PAUSE_BEFORE_COMMIT=<seconds> sleeps after a checkpoint's
    /// files are staged and before its folder is renamed into place, so a test can SIGKILL the
    /// process in the middle of a save.
    private func testPauseBeforeCommit() {
        if let text = ProcessInfo.processInfo.environment["MIRROR_BERT_TEST_PAUSE_BEFORE_COMMIT"],
           let seconds = Double(text), seconds > 0 {
            Thread.sleep(forTimeInterval: seconds)
        }
    }

    private func trainingArgumentStrings(_ o: TrainOptions) -> [String: String] {
        var out: [String: String] = [:]
        for (k, v) in trainingArgumentValues(o) { out[k] = "\(v)" }
        out["--pad-to-max"] = "\(o.padToMax)"
        out["monitor_every"] = "\(o.monitorEvery)"
        return out
    }

    func trainingArguments(_ o: TrainOptions, corpus: URL, model: URL) throws -> Data {
        var args = trainingArgumentValues(o)
        args["model"] = model.path
        args["corpus"] = corpus.path
        return try JSONSerialization.data(withJSONObject: args, options: [.prettyPrinted, .sortedKeys])
    }

    func trainingArgumentValues(_ o: TrainOptions) -> [String: Any] {
        [
            "mode": o.mode.rawValue, "epochs": o.epochs,
            "batch_size": o.batchSize, "lr": o.learningRate, "weight_decay": o.weightDecay,
            "warmup_steps": o.warmupSteps, "tau": Double(o.temperature), "max_length": o.maxLength,
            "span_mask": o.spanMask, "mask_token": o.maskToken ?? NSNull(), "dropout": Double(o.dropout),
            "drophead": Double(o.drophead), "pooling": o.pooling.rawValue, "seed": o.seed,
            "pad_to_max": o.padsToMax, "distinct_texts_per_batch": o.distinctTextsPerBatch,
            "held_out": o.heldOutFraction,
        ]
    }
}
