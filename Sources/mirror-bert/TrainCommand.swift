// mirror-bert train: the Mirror-BERT recipe on a text file, written as a new model folder.

import ArgumentParser
import Charts
import FileIO
import Foundation
import JSON
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
        (padding included: computed on packed rows with 2 pad queries each, --pad-to-max for the \
        paper's padded rows), span mask 5; word: τ 0.2, max length 25, 2 epochs, cls pooling, no span \
        mask; pairs (lines "a||b"): τ 0.04, max length 50, 1 epoch, cls pooling. All modes: batch 200, \
        AdamW lr 2e-5, weight decay 0.01, dropout 0.1, seed 42. The output folder (config.json, \
        model.safetensors, tokenizer files, sentence-transformers files, train_log.jsonl, \
        loss_curve.svg, and README.md: a sentence-transformers-style model card that `eval --card` adds \
        scores to) is written under a temporary name and renamed when complete. \
        Checkpoints (--save-every, and on SIGINT/SIGTERM, which end the run after the current step) \
        go to <output>-checkpoints/step-NNNNNN and are resumable: `train --resume DIR` continues from \
        one (DIR or <output>-checkpoints for the latest) to the same weights an uninterrupted run gives.
        """)

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var precisionOption: PrecisionOption

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
    @Flag(help: "Pad every batch to --max-length as the reference does (the paper's exact sentence recipe; replaces the default pad queries).")
    var padToMax = false
    @Option(help: "Mean pooling on packed rows: each row followed by at most K of its padding positions as query-only tokens, weighted to stand for all of them, instead of padding to --max-length (default: 2 in sentence mode with mean pooling; --pad-to-max pads instead).")
    var padQueries: Int?
    @Flag(help: "Allow repeated texts in one batch, as the reference does (they become false negatives).")
    var allowDuplicatesInBatch = false
    @Option(help: "Fraction of the corpus held out to report alignment and uniformity (default 0).") var heldOut: Double?
    @Option(help: "Report held-out alignment/uniformity every N steps (default: start and end only).") var monitorEvery: Int?
    @Option(help: "Also write a checkpoint folder every N steps into <output>-checkpoints/.") var saveEvery: Int?
    @Option(help: "Recompute layer activations in the backward pass instead of storing them: auto (when they would need over a quarter of memory) | on | off (default auto).")
    var recompute: RecomputePolicy?
    @Option(help: ArgumentHelp(
        "Hugging Face id of the model --model holds (e.g. sentence-transformers/all-MiniLM-L6-v2), for the model card's base_model.",
        discussion: "Default: read from a Hugging Face cache path (…/models--ORG--NAME/snapshots/…), else the card names the folder only. Recorded in training_args.json, not in checkpoints: give it again with --resume."))
    var baseModelId: String?

    func validate() throws {
        if let baseModelId, !ModelCard.isHubID(baseModelId) {
            throw ValidationError("--base-model-id \"\(baseModelId)\" is not a Hugging Face model id (owner/name: letters, digits, '-', '_', '.')")
        }
    }

    /// Options for a new run: the mode's defaults, then the flags.
    func options() throws -> TrainOptions {
        var defaults = TrainOptions.commandLineDefaults(for: mode ?? .sentence)
        // The default pad queries give way to a flag that asks for padded rows or another pooling;
        // given explicitly, --pad-queries conflicts with them (problem() says so).
        if padQueries == nil && (padToMax || (pooling.map { $0 != .mean } ?? false)) { defaults.padQueries = nil }
        var o = try applyFlags(to: defaults)
        if padToMax && padQueries != nil {
            throw ValidationError("--pad-queries and --pad-to-max conflict: pad queries replace padding rows to --max-length")
        }
        o.padToMax = padToMax
        o.distinctTextsPerBatch = !allowDuplicatesInBatch
        o.recompute = recompute ?? .auto
        if let problem = o.problem() { throw ValidationError(Self.message(problem)) }
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
        let given = try JSONValueEncoder().encode(o), saved = try JSONValueEncoder().encode(stored)
        let differing = TrainOptions.CodingKeys.allCases.filter { $0 != .recompute && given[$0.rawValue] != saved[$0.rawValue] }
        if !differing.isEmpty {
            let text = { (v: JSONValue?) in v.map { String(decoding: $0.serialized(), as: UTF8.self) } ?? "none" }
            let list = differing.map { key in
                "\(Self.flag(key)) \(text(given[key.rawValue])) (checkpoint: \(text(saved[key.rawValue])))"
            }
            throw ValidationError("--resume continues with the checkpoint's options; these flags differ: "
                                  + list.joined(separator: ", "))
        }
        return o
    }

    /// The flag that sets option `key`.
    static func flag(_ key: TrainOptions.CodingKeys) -> String {
        switch key {
        case .distinctTextsPerBatch: return "--allow-duplicates-in-batch"
        default: return "--" + key.rawValue.replacingOccurrences(of: "_", with: "-")
        }
    }

    /// A problem with an option, said with its flag.
    static func message(_ p: TrainOptions.Problem) -> String { "\(flag(p.key)) \(p.message)" }

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
        if let padQueries { o.padQueries = padQueries }
        if let saveEvery, saveEvery < 1 { throw ValidationError("--save-every must be at least 1") }
        return o
    }

    // MARK: - The run, step by step

    /// What a run trains: a new run from --model, or a checkpoint's run.
    struct Job {
        var options: TrainOptions
        var corpus: URL
        var output: URL
        /// The model the run started from (a checkpoint's original model when resuming).
        var modelPath: String
        var checkpoint: Checkpoint
        var resumeFrom: (dir: URL, state: TrainerState)?
        /// The products' precision (a setting of this process, not of the run: a resumed run may
        /// use another).
        var precision: Precision
        var checkpoints: URL { URL(fileURLWithPath: output.path + "-checkpoints") }
    }

    func run() throws {
        let interrupts = Interrupts.install()
        defer { interrupts.uninstall() }
        let job = try prepareJob()
        let run: TrainingRun
        do { run = try makeRun(job) } catch let TrainingError.invalidOption(problem) {
            throw ValidationError(Self.message(problem))
        }
        cleanUpStaleSaves(job)
        announce(job, run)
        var lastSaved = job.resumeFrom?.state.position.step
        let (completed, lastLoss) = try train(run, job, interrupts: interrupts, lastSaved: &lastSaved)
        if !completed, let signal = interrupts.received {
            try stop(run, job, signal: signal, lastSaved: lastSaved)
        }
        try writeModel(run, job)
        Console.note(String(format: "trained %d steps in %@ (final loss %.4f) → %@",
                            run.trainer.step, formatDuration(run.elapsed), lastLoss, job.output.path))
    }

    /// Step 1: the options, corpus, output and starting weights, from the flags or a checkpoint.
    func prepareJob() throws -> Job {
        if let resume {
            let dir = try TrainingCheckpoint.locate(URL(fileURLWithPath: resume))
            let state = try TrainingCheckpoint.readState(dir)
            return Job(options: try resumedOptions(state.options), corpus: URL(fileURLWithPath: corpus ?? state.corpusPath),
                       output: URL(fileURLWithPath: output ?? state.output), modelPath: state.model,
                       checkpoint: try Checkpoint.load(dir), resumeFrom: (dir, state), precision: try precisionOption.resolve(training: true))
        }
        guard let corpus else { throw ValidationError("--corpus is required (unless --resume is given)") }
        guard let output else { throw ValidationError("--output is required (unless --resume is given)") }
        let options = try self.options()
        let precision = try precisionOption.resolve(training: true)
        let ckpt = try modelOptions.load()
        return Job(options: options, corpus: URL(fileURLWithPath: corpus), output: URL(fileURLWithPath: output),
                   modelPath: ckpt.directory.path, checkpoint: ckpt, resumeFrom: nil, precision: precision)
    }

    /// Step 2: the corpus loaded and the run built (and restored to the checkpoint when resuming).
    func makeRun(_ job: Job) throws -> TrainingRun {
        let data = try MirrorCorpus.load(job.corpus, mode: job.options.mode)
        job.checkpoint.encoder.setPrecision(job.precision)
        let run = try TrainingRun(encoder: job.checkpoint.encoder, tokenizer: job.checkpoint.tokenizer, corpus: data,
                                  options: job.options)
        if let from = job.resumeFrom { try TrainingCheckpoint.restore(run, from: from.dir, state: from.state) }
        return run
    }

    /// Step 3: staging folders left by a killed run are removed.
    func cleanUpStaleSaves(_ job: Job) {
        var folders = [job.checkpoints.standardizedFileURL]
        if let dir = job.resumeFrom?.dir.deletingLastPathComponent().standardizedFileURL, !folders.contains(dir) { folders.append(dir) }
        for folder in folders {
            for name in AtomicDirectory.recoverStale(in: folder) {
                Console.note("train: cleaned up \(name), left in \(folder.path) by a run that was killed")
            }
        }
    }

    /// Step 4: one line saying what will run.
    func announce(_ job: Job, _ run: TrainingRun) {
        let o = job.options, data = run.corpus
        Console.note("""
            train: \(job.resumeFrom.map { "resuming \($0.dir.path) at step \($0.state.position.step), " } ?? "")\
            \(job.resumeFrom == nil ? job.checkpoint.directory.lastPathComponent + ", " : "")\(o.mode.rawValue) mode, \(data.count) examples\
            \(data.blankLines > 0 ? " (\(data.blankLines) blank lines skipped)" : ""), \
            \(run.plan.heldOutIndices.count > 0 ? "\(run.plan.heldOutIndices.count) held out, " : "")\
            \(run.totalSteps) steps of \(o.batchSize) × 2 views, τ \(o.temperature), \
            pooling \(o.pooling.rawValue), max length \(o.maxLength)\(Self.layout(o))\
            \(o.spanMask > 0 ? ", span mask \(o.spanMask) → \(run.trainer.maskToken)" : "")\
            \(run.trainer.recomputes ? ", recomputing activations" : ""), \
            \(PrecisionOption.describe(job.precision, request: precisionOption.precision))
            """)
    }

    /// How rows are laid out, as said after the max length: " (padded)", " (packed, K pad queries
    /// per row)", or nothing for packed rows.
    static func layout(_ o: TrainOptions) -> String {
        if let k = o.padQueries { return " (packed, \(k) pad \(k == 1 ? "query" : "queries") per row)" }
        return o.padsToMax ? " (padded)" : ""
    }

    /// Writes a resumable checkpoint of the run's current step.
    func saveCheckpoint(_ run: TrainingRun, _ job: Job) throws -> URL {
        let dir = job.checkpoints.appendingPathComponent(String(format: "step-%06d", run.trainer.step))
        try TrainingCheckpoint.save(run, model: job.checkpoint, to: dir, modelPath: job.modelPath, output: job.output.path,
                                    beforeCommit: testPauseBeforeCommit)
        return dir
    }

    /// Step 5: the steps, with progress, periodic checkpoints and a stop on SIGINT/SIGTERM.
    /// Returns whether every step ran, and the last loss.
    func train(_ run: TrainingRun, _ job: Job, interrupts: Interrupts, lastSaved: inout Int?) throws -> (Bool, Float) {
        let progress = Progress("train", total: run.totalSteps)
        var tokens = 0
        var lastLoss: Float = run.records.last(where: { $0.loss != nil })?.loss ?? .nan
        var saved = lastSaved
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
                do {
                    _ = try saveCheckpoint(run, job)
                    saved = run.trainer.step
                } catch {
                    Console.note("warning: checkpoint at step \(run.trainer.step) not written: \(error)")
                }
            }
        }, shouldStop: { interrupts.received != nil })
        progress.finish()
        lastSaved = saved
        return (completed, lastLoss)
    }

    /// Step 6 (on a signal): a checkpoint of the last step, how to resume, and exit 128 + signal.
    func stop(_ run: TrainingRun, _ job: Job, signal: Int32, lastSaved: Int?) throws -> Never {
        let name = signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : "signal \(signal)"
        guard run.trainer.step > 0 else {
            Console.note("train: \(name) before the first step; nothing to save")
            throw ExitCode(128 + signal)
        }
        let dir = lastSaved == run.trainer.step
            ? job.checkpoints.appendingPathComponent(String(format: "step-%06d", run.trainer.step))
            : try saveCheckpoint(run, job)
        Console.note("""
            train: \(name) at step \(run.trainer.step) of \(run.totalSteps); checkpoint in \(dir.path)
            resume with: mirror-bert train --resume \(shellQuoted(dir.path))
            """)
        throw ExitCode(128 + signal)
    }

    /// Step 7: the trained model folder with its log, loss curve, training arguments and model card
    /// (rendered from the staged folder's own files, as `eval --card` reads a folder).
    func writeModel(_ run: TrainingRun, _ job: Job) throws {
        let losses = run.records.compactMap { r in r.loss.map { (Double(r.step), Double($0)) } }
        let chart = LineChart(title: "Mirror-BERT training loss", xLabel: "step", yLabel: "InfoNCE loss",
                              series: [LineSeries(name: "loss", x: losses.map(\.0), y: losses.map(\.1))])
        try job.checkpoint.save(to: job.output, pooling: job.options.pooling, extra: [
            "train_log.jsonl": try run.logData(),
            "loss_curve.svg": Data(chart.svg().utf8),
            "training_args.json": try Self.trainingArguments(
                job.options, precision: job.precision, corpus: job.corpus, model: URL(fileURLWithPath: job.modelPath),
                examples: run.corpus.count, heldOut: run.plan.heldOutIndices.count, baseModelID: baseModelId),
        ]) { folder in
            let card = try ModelCardFolder.read(folder.staging, name: job.output.standardizedFileURL.lastPathComponent)
            try AtomicFile.write(Data(card.render().utf8), to: folder.file(ModelCard.fileName))
        }
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

    /// training_args.json: the options' JSON form (as in trainer_state.json), then whether rows
    /// were padded (`pad_to_max` is the flag; mean pooling pads unless `pad_queries` is set), the
    /// products' precision, the model and the corpus, the corpus's examples and how many were held
    /// out, and the base model's Hub id when --base-model-id gives it.
    static func trainingArguments(_ o: TrainOptions, precision: Precision, corpus: URL, model: URL, examples: Int, heldOut: Int,
                                  baseModelID: String?) throws -> Data {
        guard case let .object(members) = try JSONValueEncoder().encode(o) else { preconditionFailure("options encode as a JSON object") }
        var all = members + [("padded_rows", .bool(o.padsToMax)), ("precision", .string(precision.rawValue)),
                             ("model", .string(model.path)), ("corpus", .string(corpus.path)),
                             ("corpus_examples", .int(examples)), ("held_out_examples", .int(heldOut))]
        if let baseModelID { all.append(("base_model_id", .string(baseModelID))) }
        return Data(JSONValue.object(all).serialized(.pretty))
    }
}
