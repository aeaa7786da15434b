// A Hugging Face checkpoint folder: config.json, the tokenizer files and model.safetensors (or,
// failing that, pytorch_model.bin, read through TorchPickle; both go through one loading path).
// Loading is strict (mlx-swift style): every parameter the architecture defines must be present
// with the config's shape, and a tensor we don't know is an error — except the few that are
// known to be irrelevant to the encoder (pre-training and task heads, `position_ids`), which are
// skipped and listed in `ignoredTensors`. Names may carry the "bert."/"roberta."/"mpnet." prefix
// of *ForMaskedLM checkpoints and the old LayerNorm "gamma"/"beta" names.

import FileIO
import Foundation
import Kernels
import SafeTensors
import Tokenizers
import TorchPickle

public final class Checkpoint {
    public let directory: URL
    public let config: EncoderConfig
    /// config.json as found, written back unchanged when the model is saved.
    public let configJSON: Data
    public let tokenizer: any Tokenizer
    public let encoder: Encoder
    /// Tensors in the file that the encoder does not use (e.g. "cls.predictions.bias").
    public let ignoredTensors: [String]
    /// What the folder's sentence-transformers files declare (pooling, normalization, max length).
    public let settings: FolderSettings

    public init(directory: URL, config: EncoderConfig, configJSON: Data, tokenizer: any Tokenizer, encoder: Encoder,
                ignoredTensors: [String], settings: FolderSettings = FolderSettings()) {
        self.directory = directory; self.config = config; self.configJSON = configJSON
        self.tokenizer = tokenizer; self.encoder = encoder; self.ignoredTensors = ignoredTensors
        self.settings = settings
    }

    /// Loads config, tokenizer and weights from a checkpoint folder.
    public static func load(_ directory: URL) throws -> Checkpoint {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDir) else {
            throw ModelError.missingFile(path: directory.path, what: "model folder (no such directory)")
        }
        guard isDir.boolValue else {
            throw ModelError.missingFile(path: directory.path, what: "model folder (this is a file, not a folder)")
        }
        let configURL = directory.appendingPathComponent("config.json")
        let config = try EncoderConfig.load(configURL)
        let configJSON = try Data(contentsOf: configURL)
        let tokenizer = try TokenizerLoader.load(from: directory)
        let settings = try FolderSettings.read(directory)
        let (encoder, ignored) = try loadWeights(directory, config: config)
        guard tokenizer.vocabularySize <= config.vocabSize else {
            throw ModelError.invalidConfig(
                path: configURL.path,
                reason: "vocab_size \(config.vocabSize) is smaller than the tokenizer's vocabulary (\(tokenizer.vocabularySize))")
        }
        return Checkpoint(directory: directory, config: config, configJSON: configJSON, tokenizer: tokenizer,
                          encoder: encoder, ignoredTensors: ignored, settings: settings)
    }

    /// Reads the weights into a new parameter block laid out for `config`: model.safetensors, or
    /// pytorch_model.bin (read without executing its pickle) when there is no model.safetensors.
    public static func loadWeights(_ directory: URL, config: EncoderConfig) throws -> (Encoder, ignored: [String]) {
        try loadWeights(from: try weightsFile(in: directory), config: config)
    }

    /// The folder's weights file, opened and validated.
    public static func weightsFile(in directory: URL) throws -> any WeightsFile {
        let url = directory.appendingPathComponent("model.safetensors")
        if FileManager.default.fileExists(atPath: url.path) { return try SafeTensorsFile(url: url) }
        let bin = directory.appendingPathComponent("pytorch_model.bin")
        if FileManager.default.fileExists(atPath: bin.path) { return try TorchCheckpoint(url: bin) }
        if FileManager.default.fileExists(atPath: directory.appendingPathComponent("pytorch_model.bin.index.json").path) {
            throw ModelError.unsupported(path: directory.path, what: "sharded pytorch_model-*.bin weights (one file is supported)")
        }
        throw ModelError.missingFile(path: url.path, what: "model.safetensors (or pytorch_model.bin)")
    }

    /// Fills a parameter block from `file`, strictly: every parameter of the layout present with
    /// the config's shape, no tensor the encoder does not know except the ignored heads/buffers.
    public static func loadWeights(from file: any WeightsFile, config: EncoderConfig) throws -> (Encoder, ignored: [String]) {
        var byName: [String: WeightsEntry] = [:]
        var ignored: [String] = []
        for t in file.weightEntries {
            guard let name = canonicalName(t.name, family: config.family) else { ignored.append(t.name); continue }
            if byName[name] != nil {
                throw ModelError.unexpectedParameter(path: file.path, name: "\(t.name) (a second tensor for '\(name)')")
            }
            byName[name] = t
        }
        let layout = ParameterLayout.make(config, pooler: byName["pooler.dense.weight"] != nil)
        for name in byName.keys where layout.entry(name) == nil {
            throw ModelError.unexpectedParameter(path: file.path, name: byName[name]!.name)
        }
        // Every tensor present with its shape before the block is allocated: its size is then
        // backed by the file's own bytes, not only by what config.json claims.
        for e in layout.entries {
            guard let t = byName[e.name] else { throw ModelError.missingParameter(path: file.path, name: e.name) }
            guard t.shape == e.shape else {
                throw ModelError.shapeMismatch(path: file.path, name: t.name, expected: e.shape, found: t.shape)
            }
        }
        let block = FloatBuffer(count: layout.totalCount)
        for e in layout.entries {
            try file.readFloats(byName[e.name]!.name, into: UnsafeMutableBufferPointer(start: block.pointer + e.offset, count: e.count))
        }
        return (Encoder(config: config, layout: layout, parameters: block), ignored.sorted())
    }

    /// The layout name for a checkpoint tensor name, or nil for tensors the encoder ignores.
    static func canonicalName(_ raw: String, family: ModelFamily) -> String? {
        var n = raw
        for prefix in family.wrapperPrefixes where n.hasPrefix(prefix) { n.removeFirst(prefix.count) }
        if n == "embeddings.position_ids" { return nil }
        for head in ["cls.", "lm_head.", "classifier.", "qa_outputs."] where n.hasPrefix(head) { return nil }
        if n.hasSuffix("LayerNorm.gamma") { n = String(n.dropLast(5)) + "weight" }
        if n.hasSuffix("LayerNorm.beta") { n = String(n.dropLast(4)) + "bias" }
        return n
    }
}

// MARK: - Weights files

/// One tensor of a weights file: name, element type and shape.
public struct WeightsEntry: Sendable, Equatable {
    public let name: String
    public let dtype: DType
    public let shape: [Int]
}

/// A weights file seen as named tensors that can be read as floats: model.safetensors
/// (`SafeTensorsFile`) or pytorch_model.bin (`TorchCheckpoint`).
public protocol WeightsFile: AnyObject {
    /// Names the file in errors.
    var path: String { get }
    /// Every tensor, in the file's order.
    var weightEntries: [WeightsEntry] { get }
    /// Converts an F32, F16 or BF16 tensor to Float into `dst` (count = element count), C order.
    func readFloats(_ name: String, into dst: UnsafeMutableBufferPointer<Float>) throws
}

extension SafeTensorsFile: WeightsFile {
    public var weightEntries: [WeightsEntry] { tensors.map { WeightsEntry(name: $0.name, dtype: $0.dtype, shape: $0.shape) } }
}

extension TorchCheckpoint: WeightsFile {
    public var weightEntries: [WeightsEntry] { tensors.map { WeightsEntry(name: $0.name, dtype: $0.dtype, shape: $0.shape) } }
}
