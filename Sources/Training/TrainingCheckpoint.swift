// Resumable training checkpoints. A checkpoint folder is a complete model folder (what
// `Checkpoint.save` writes: config.json, model.safetensors, tokenizer and sentence-transformers
// files) plus:
//   optimizer.safetensors   AdamW's moments, F32 tensors "exp_avg" and "exp_avg_sq" of shape [P]
//                           (P = the parameter block's length, in the layout of model.safetensors'
//                           tensors concatenated in `ParameterLayout` order)
//   train_log.jsonl         the log so far (its records continue in the resumed run's log)
//   trainer_state.json      {"format": "mirror-bert-trainer-state", "version": 2, "step", "epoch",
//                           "batch", "total_steps", "augmentation_rng": [4 × 16 hex digits],
//                           "parameters": P, "options": {…TrainOptions' JSON form…},
//                           "corpus": {"path", "examples", "fingerprint"}, "model", "output"}
// The folder is staged and renamed into place whole (AtomicDirectory), so a crash during a save
// leaves the previous checkpoint and a hidden `.step-….partial-…` folder, never a half checkpoint
// under a checkpoint's name; trainer_state.json is written last, and a folder without it is refused.
//
// Resuming restores the weights, both moments, the step, the epoch/batch position and the
// span-mask generator; with the same corpus and options the run then takes exactly the steps it
// would have taken, so the final weights are bit-identical to an uninterrupted run's.

import FileIO
import Foundation
import JSON
import Kernels
import Models
import SafeTensors

/// The contents of trainer_state.json.
public struct TrainerState: Equatable, Sendable {
    public static let format = "mirror-bert-trainer-state"
    public static let version = 2

    public var position: TrainingPosition
    public var totalSteps: Int
    public var parameterCount: Int
    public var options: TrainOptions
    public var corpusPath: String
    public var corpusExamples: Int
    public var corpusFingerprint: UInt64
    /// The model the run started from, and its output folder.
    public var model: String
    public var output: String

    public init(position: TrainingPosition, totalSteps: Int, parameterCount: Int, options: TrainOptions,
                corpusPath: String, corpusExamples: Int, corpusFingerprint: UInt64, model: String, output: String) {
        self.position = position; self.totalSteps = totalSteps; self.parameterCount = parameterCount
        self.options = options; self.corpusPath = corpusPath; self.corpusExamples = corpusExamples
        self.corpusFingerprint = corpusFingerprint; self.model = model; self.output = output
    }
}

/// Problems with a checkpoint to resume from; each names the folder or file.
public enum CheckpointError: Error, Equatable, CustomStringConvertible {
    case notACheckpoint(path: String, reason: String)
    case invalidState(path: String, reason: String)
    case mismatch(path: String, reason: String)

    public var description: String {
        switch self {
        case let .notACheckpoint(path, reason): return "\(path): not a resumable checkpoint: \(reason)"
        case let .invalidState(path, reason): return "\(path): invalid trainer state: \(reason)"
        case let .mismatch(path, reason): return "\(path): cannot resume: \(reason)"
        }
    }
}

public enum TrainingCheckpoint {
    public static let stateFile = "trainer_state.json"
    public static let optimizerFile = "optimizer.safetensors"
    public static let logFile = "train_log.jsonl"

    // MARK: - Saving

    /// Writes a resumable checkpoint of `run` (whose encoder is `model`'s) to `url` atomically.
    /// `beforeCommit` runs when every file is staged, just before the folder is renamed into place
    /// (tests use it to kill the process mid-save).
    public static func save(_ run: TrainingRun, model: Checkpoint, to url: URL, modelPath: String, output: String,
                            beforeCommit: () throws -> Void = {}) throws {
        let state = TrainerState(
            position: run.position, totalSteps: run.totalSteps, parameterCount: run.trainer.encoder.layout.totalCount,
            options: run.options, corpusPath: run.corpus.path, corpusExamples: run.corpus.count,
            corpusFingerprint: run.corpus.fingerprint, model: modelPath, output: output)
        let log = try run.logData()
        try model.save(to: url, pooling: run.options.pooling) { folder in
            let (m, v) = run.trainer.moments
            try SafeTensorsWriter.write([(name: "exp_avg", shape: [m.count], data: m),
                                         (name: "exp_avg_sq", shape: [v.count], data: v)],
                                        metadata: ["format": "mirror-bert-adamw"], to: folder.file(optimizerFile))
            try AtomicFile.write(log, to: folder.file(logFile))
            try AtomicFile.write(encode(state), to: folder.file(stateFile))  // last: marks the folder complete
            try beforeCommit()
        }
    }

    // MARK: - Finding and reading

    /// The checkpoint folder `url` names: `url` itself if it holds trainer_state.json, else the
    /// `step-*` subfolder with the highest step that does (e.g. `<output>-checkpoints/`). Hidden
    /// `.…partial-…` folders (saves cut short) are never chosen.
    public static func locate(_ url: URL) throws -> URL {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: url.path, isDirectory: &isDir), isDir.boolValue else {
            throw CheckpointError.notACheckpoint(path: url.path, reason: "no such folder")
        }
        let name = url.standardizedFileURL.lastPathComponent
        if name.hasPrefix(".") && name.contains(".partial-") {
            throw CheckpointError.notACheckpoint(path: url.path, reason: "a save that was cut short (staging folder)")
        }
        if fm.fileExists(atPath: url.appendingPathComponent(stateFile).path) { return url }
        let names = (try? fm.contentsOfDirectory(atPath: url.path)) ?? []
        let steps = names.filter { $0.hasPrefix("step-") && fm.fileExists(atPath: url.appendingPathComponent($0).appendingPathComponent(stateFile).path) }
        guard let latest = steps.max(by: { stepNumber($0) < stepNumber($1) }) else {
            let partial = names.contains { $0.hasPrefix(".") && $0.contains(".partial-") }
            throw CheckpointError.notACheckpoint(
                path: url.path,
                reason: "no \(stateFile) here or in a step-* subfolder"
                    + (url.lastPathComponent.contains(".partial-") || partial ? " (a save that was cut short is not a checkpoint)" : ""))
        }
        return url.appendingPathComponent(latest)
    }

    private static func stepNumber(_ name: String) -> Int { Int(name.dropFirst(5)) ?? -1 }

    /// Reads and validates `<dir>/trainer_state.json`.
    public static func readState(_ dir: URL) throws -> TrainerState {
        let url = dir.appendingPathComponent(stateFile)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw CheckpointError.notACheckpoint(path: dir.path, reason: "\(stateFile) is missing")
        }
        let data: Data
        do { data = try TextLines.readFile(url) } catch { throw CheckpointError.invalidState(path: url.path, reason: "\(error)") }
        return try decode(data, path: url.path)
    }

    /// Restores `run` (built from the state's options and corpus, with the checkpoint's weights
    /// already in its encoder) to the checkpoint in `dir`: moments, step, position and log.
    public static func restore(_ run: TrainingRun, from dir: URL, state: TrainerState) throws {
        let n = run.trainer.encoder.layout.totalCount
        guard state.parameterCount == n else {
            throw CheckpointError.mismatch(path: dir.path, reason: "the state has \(state.parameterCount) parameters, the model \(n)")
        }
        guard state.corpusExamples == run.corpus.count, state.corpusFingerprint == run.corpus.fingerprint else {
            throw CheckpointError.mismatch(
                path: dir.path, reason: "\(run.corpus.path) is not the corpus this run trained on "
                    + "(\(run.corpus.count) examples, fingerprint \(hex(run.corpus.fingerprint)); the checkpoint has "
                    + "\(state.corpusExamples), \(hex(state.corpusFingerprint)))")
        }
        guard state.totalSteps == run.totalSteps else {
            throw CheckpointError.mismatch(path: dir.path, reason: "the plan has \(run.totalSteps) steps, the checkpoint \(state.totalSteps)")
        }
        let optimizerURL = dir.appendingPathComponent(optimizerFile)
        guard FileManager.default.fileExists(atPath: optimizerURL.path) else {
            throw CheckpointError.notACheckpoint(path: dir.path, reason: "\(optimizerFile) is missing")
        }
        let file = try SafeTensorsFile(url: optimizerURL)
        for name in ["exp_avg", "exp_avg_sq"] {
            guard let t = file.info(name) else {
                throw CheckpointError.invalidState(path: optimizerURL.path, reason: "no tensor \"\(name)\"")
            }
            guard t.dtype == .f32, t.shape == [n] else {
                throw CheckpointError.invalidState(path: optimizerURL.path,
                                                   reason: "\"\(name)\" is \(t.dtype.rawValue) \(t.shape), expected F32 [\(n)]")
            }
        }
        guard file.tensors.count == 2 else {
            throw CheckpointError.invalidState(path: optimizerURL.path, reason: "unexpected tensors besides exp_avg and exp_avg_sq")
        }
        try run.trainer.restoreOptimizer(step: state.position.step) { m, v in
            try file.readFloats("exp_avg", into: m)
            try file.readFloats("exp_avg_sq", into: v)
        }
        let records = try readLog(dir.appendingPathComponent(logFile))
        try run.resume(at: state.position, records: records)
    }

    static func readLog(_ url: URL) throws -> [TrainingRecord] {
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        let decoder = JSONValueDecoder()
        var records: [TrainingRecord] = []
        for (i, line) in try TextLines.read(url).enumerated() where !line.isEmpty {
            do { records.append(try decoder.decode(TrainingRecord.self, from: line.utf8, maxDepth: 4)) } catch {
                throw CheckpointError.invalidState(path: "\(url.path):\(i + 1)", reason: "not a training log record (\(error))")
            }
        }
        return records
    }

    // MARK: - trainer_state.json

    static func hex(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }

    /// trainer_state.json as stored.
    private struct StateFile: Codable {
        struct Corpus: Codable {
            var path: String
            var examples: Int
            var fingerprint: String
        }
        var format: String
        var version: Int
        var step: Int
        var epoch: Int
        var batch: Int
        var total_steps: Int
        var augmentation_rng: [String]
        var parameters: Int
        var options: TrainOptions
        var corpus: Corpus
        var model: String
        var output: String
    }

    /// trainer_state.json for `s` (pretty-printed, keys in the documented order).
    public static func encode(_ s: TrainerState) throws -> Data {
        let r = s.position.augmentationState
        let file = StateFile(
            format: TrainerState.format, version: TrainerState.version, step: s.position.step, epoch: s.position.epoch,
            batch: s.position.batch, total_steps: s.totalSteps, augmentation_rng: [r.0, r.1, r.2, r.3].map(hex),
            parameters: s.parameterCount, options: s.options,
            corpus: .init(path: s.corpusPath, examples: s.corpusExamples, fingerprint: hex(s.corpusFingerprint)),
            model: s.model, output: s.output)
        return Data(try JSONValueEncoder().encode(file).serialized(.pretty))
    }

    /// Parses trainer_state.json strictly: every field present with its type and range. Version 1
    /// (releases before the options became one Codable value) wrote the seed as 16 hex digits; it
    /// is read as such, everything else is the same.
    public static func decode(_ data: Data, path: String) throws -> TrainerState {
        func fail(_ reason: String) -> CheckpointError { .invalidState(path: path, reason: reason) }
        guard data.count <= 1 << 20 else { throw fail("larger than 1 MiB") }
        var root: JSONValue
        do { root = try JSONParser.parse(data, maxDepth: 16) } catch let e as JSONSyntaxError {
            throw fail("not valid JSON: \(e)")
        }
        guard case let .object(members) = root else { throw fail("not a JSON object") }
        guard root["format"] == .string(TrainerState.format) else { throw fail("\"format\" is not \"\(TrainerState.format)\"") }
        guard case let .number(v)? = root["version"], let version = v.int else { throw fail("\"version\" must be an integer") }
        switch version {
        case TrainerState.version: break
        case 1:
            // The seed was 16 hex digits; rewrite it as the number it stands for.
            guard case var .object(options)? = root["options"], let i = options.lastIndex(where: { $0.key == "seed" }),
                  case let .string(hexSeed) = options[i].value, hexSeed.utf8.count == 16, let seed = UInt64(hexSeed, radix: 16)
            else { throw fail("version 1 state without a 16-hex-digit \"options.seed\"") }
            options[i].value = .number(JSONNumber(seed))
            root = .object(members.map { $0.key == "options" ? (key: "options", value: .object(options)) : $0 })
        default:
            throw fail("version \(version) (this build reads versions 1 and \(TrainerState.version))")
        }
        let file = try JSONValueDecoder().decode(StateFile.self, from: root, orThrow: fail)
        let rngWords = try file.augmentation_rng.map { s -> UInt64 in
            guard s.utf8.count == 16, let w = UInt64(s, radix: 16) else {
                throw fail("\"augmentation_rng\" must hold 16-hex-digit strings")
            }
            return w
        }
        guard rngWords.count == 4, rngWords.contains(where: { $0 != 0 }) else {
            throw fail("\"augmentation_rng\" must hold 4 words, not all zero")
        }
        let o = file.options
        if let problem = o.problem() { throw fail("options.\(problem.key.rawValue) \(problem.message)") }
        guard o.epochs <= 1_000_000, o.batchSize <= 1 << 24, o.maxLength <= 1 << 20, o.spanMask <= 1 << 20,
              o.warmupSteps <= 1 << 40, o.monitorEvery <= 1 << 40 else {
            throw fail("options out of range")
        }
        guard let fingerprint = UInt64(file.corpus.fingerprint, radix: 16) else {
            throw fail("corpus.fingerprint is not hexadecimal")
        }
        let position = TrainingPosition(step: file.step, epoch: file.epoch, batch: file.batch,
                                        augmentationState: (rngWords[0], rngWords[1], rngWords[2], rngWords[3]))
        let state = TrainerState(
            position: position, totalSteps: file.total_steps, parameterCount: file.parameters, options: o,
            corpusPath: file.corpus.path, corpusExamples: file.corpus.examples, corpusFingerprint: fingerprint,
            model: file.model, output: file.output)
        guard position.step >= 0, position.epoch >= 0, position.batch >= 0, state.totalSteps >= position.step,
              state.parameterCount > 0, state.corpusExamples > 0 else {
            throw fail("step, epoch, batch, total_steps, parameters or corpus.examples out of range")
        }
        return state
    }
}
