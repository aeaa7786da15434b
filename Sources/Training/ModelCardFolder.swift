// A model card read from, and written into, a model folder. The card's fields come from the
// folder's own files, so `train` (which renders it from its staging folder once everything else is
// written there) and `eval --card` (on a folder that has no card yet) describe a folder the same way:
//   config.json                       family, layers, hidden size, heads, positions
//   modules.json, 1_Pooling/…,        declared pooling, Normalize, max_seq_length (FolderSettings)
//   sentence_bert_config.json
//   training_args.json                the run: options, precision, model and corpus paths,
//                                     corpus_examples, held_out_examples, base_model_id
//   train_log.jsonl                   loss per step, held-out alignment/uniformity
//   loss_curve.svg                    linked when present
// The base model's Hub id is training_args.json's "base_model_id" (train --base-model-id), else
// read from a Hugging Face cache path (…/models--ORG--NAME/snapshots/REV), else unknown: a local
// folder's name is not an id, and config.json's "_name_or_path" names what the *base* was made from
// (all-MiniLM-L6-v2's says nreimers/MiniLM-L6-H384-uncased), so neither is used.
//
// README.md is ours when a line starts with `ModelCard.markerPrefix`; a README.md without it (a
// copied Hub card, a person's notes) is never overwritten: `eval --card` refuses, naming it.

import FileIO
import Foundation
import JSON
import Models

/// Problems with a model card or the files it is made from; each names the file.
public enum ModelCardError: Error, Equatable, CustomStringConvertible {
    /// README.md exists and was not written by this tool.
    case foreignCard(path: String)
    /// A file the card is read from is malformed.
    case invalidFile(path: String, reason: String)

    public var description: String {
        switch self {
        case let .foreignCard(path):
            return "\(path) was not written by mirror-bert (it has no \"\(ModelCard.markerPrefix) …\" line); "
                + "it is left as it is: move it aside to have a card written"
        case let .invalidFile(path, reason): return "\(path): \(reason)"
        }
    }
}

extension ModelCard {
    /// What a line of README.md starts with when this tool wrote the card.
    public static let markerPrefix = "<!-- mirror-bert model card"

    /// True when `id` is a valid Hugging Face model id: "name" or "owner/name", each part of
    /// letters, digits, '-', '_', '.', not starting or ending with '-' or '.', without "--" or
    /// "..", at most 96 characters.
    public static func isHubID(_ id: String) -> Bool {
        let parts = id.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2 else { return false }
        return parts.allSatisfy { p in
            let allowed = p.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0)
            }
            return allowed && !p.isEmpty && p.count <= 96 && !p.contains("--") && !p.contains("..")
                && !p.hasPrefix("-") && !p.hasPrefix(".") && !p.hasSuffix("-") && !p.hasSuffix(".")
        }
    }

    /// The Hub id in a Hugging Face cache path (…/models--ORG--NAME/snapshots/REV[/…]), else nil.
    public static func hubID(inCachePath path: String) -> String? {
        let parts = path.split(separator: "/")
        for (i, part) in parts.enumerated() where part.hasPrefix("models--") && i + 1 < parts.count && parts[i + 1] == "snapshots" {
            let id = part.dropFirst("models--".count).components(separatedBy: "--").joined(separator: "/")
            return isHubID(id) ? id : nil
        }
        return nil
    }
}

public enum ModelCardFolder {
    // MARK: - Reading

    /// training_args.json's fields that the card uses (the rest only go to its table). Optional
    /// ones are absent from folders of earlier releases.
    private struct TrainingArguments: Decodable {
        var mode: CorpusMode
        var epochs: Int
        var batch_size: Int
        var max_length: Int
        var span_mask: Int
        var pooling: Pooling
        var padded_rows: Bool?
        var pad_queries: Int?
        var precision: String?
        var model: String?
        var corpus: String?
        var corpus_examples: Int?
        var held_out_examples: Int?
        var base_model_id: String?
    }

    /// The card of the model folder `directory`, named `name` (default: the folder's name; `train`
    /// reads its staging folder and gives the final name).
    public static func read(_ directory: URL, name: String? = nil, results: ModelCard.Results? = nil) throws -> ModelCard {
        let config = try EncoderConfig.load(directory.appendingPathComponent("config.json"))
        let architecture = ModelCard.Architecture(
            family: config.family, layers: config.layers, hiddenSize: config.hiddenSize, heads: config.heads,
            maxPositions: config.maxSequenceLength, settings: try FolderSettings.read(directory))
        let title = name ?? directory.standardizedFileURL.lastPathComponent
        return ModelCard(name: title, architecture: architecture, training: try readTraining(directory), results: results)
    }

    private static func readTraining(_ directory: URL) throws -> ModelCard.TrainingSummary? {
        let url = directory.appendingPathComponent("training_args.json")
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let data: Data
        do { data = try TextLines.readFile(url) } catch { throw ModelCardError.invalidFile(path: url.path, reason: "\(error)") }
        let raw: JSONValue
        do { raw = try JSONParser.parse(data, maxDepth: 16) } catch {
            throw ModelCardError.invalidFile(path: url.path, reason: "not valid JSON: \(error)")
        }
        let args = try JSONValueDecoder().decode(TrainingArguments.self, from: raw) {
            ModelCardError.invalidFile(path: url.path, reason: $0)
        }
        guard case let .object(members) = raw, case let .number(tau)? = raw["tau"] else {
            throw ModelCardError.invalidFile(path: url.path, reason: "\"tau\" must be a number")
        }
        let arguments = members.map { m -> (key: String, value: String) in
            switch (m.key, m.value) {
            case ("model", .string(let s)), ("corpus", .string(let s)): return (m.key, URL(fileURLWithPath: s).lastPathComponent)
            case (_, .string(let s)): return (m.key, s)
            default: return (m.key, String(decoding: m.value.serialized(), as: UTF8.self))
            }
        }
        let log = try TrainingCheckpoint.readLog(directory.appendingPathComponent(TrainingCheckpoint.logFile))
        let losses = log.compactMap { r in r.loss.map { (step: r.step, loss: Double($0)) } }
        let monitoring = log.compactMap { r -> (step: Int, alignment: Double, uniformity: Double)? in
            guard let a = r.alignment, let u = r.uniformity else { return nil }
            return (r.step, a, u)
        }
        let modelPath = args.model ?? ""
        let hubID = try args.base_model_id.map { id -> String in
            guard ModelCard.isHubID(id) else {
                throw ModelCardError.invalidFile(path: url.path, reason: "\"base_model_id\" \"\(id)\" is not a Hugging Face model id")
            }
            return id
        } ?? ModelCard.hubID(inCachePath: modelPath)
        let chart = "loss_curve.svg"
        return ModelCard.TrainingSummary(
            base: ModelCard.BaseModel(name: modelPath.isEmpty ? "unknown" : URL(fileURLWithPath: modelPath).lastPathComponent, hubID: hubID),
            mode: args.mode, pooling: args.pooling, maxLength: args.max_length,
            paddedRows: args.padded_rows ?? !args.pooling.isPaddingIndependent, padQueries: args.pad_queries,
            temperature: tau.text, spanMask: args.span_mask, epochs: args.epochs, batchSize: args.batch_size,
            precision: args.precision, corpus: args.corpus.map { URL(fileURLWithPath: $0).lastPathComponent },
            corpusExamples: args.corpus_examples, heldOutExamples: args.held_out_examples, arguments: arguments,
            losses: losses, monitoring: monitoring,
            lossChart: FileManager.default.fileExists(atPath: directory.appendingPathComponent(chart).path) ? chart : nil)
    }

    // MARK: - README.md

    /// The folder's README.md text when this tool wrote it, nil when there is none; a README.md
    /// written by anyone else is `ModelCardError.foreignCard`.
    public static func existingCard(in directory: URL) throws -> String? {
        let url = directory.appendingPathComponent(ModelCard.fileName)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let data = try TextLines.readFile(url)
        guard let text = String(data: data, encoding: .utf8),
              text.split(separator: "\n").contains(where: { $0.hasPrefix(ModelCard.markerPrefix) })
        else { throw ModelCardError.foreignCard(path: url.path) }
        return text
    }

    /// Puts `results` into the folder's card and rewrites README.md atomically: a card of ours keeps
    /// everything but its results (`ModelCard.replacingResults`); without a card one is made from
    /// the folder's files. Returns true when an existing card was updated.
    @discardableResult
    public static func writeResults(_ results: ModelCard.Results, to directory: URL) throws -> Bool {
        let name = directory.standardizedFileURL.lastPathComponent
        let existing = try existingCard(in: directory)
        let text = try existing.map { ModelCard.replacingResults(in: $0, name: name, with: results) }
            ?? read(directory, name: name, results: results).render()
        try AtomicFile.write(Data(text.utf8), to: directory.appendingPathComponent(ModelCard.fileName))
        return existing != nil
    }
}
