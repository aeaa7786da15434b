// A Hugging Face checkpoint folder: config.json, the tokenizer files and model.safetensors.
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

public final class Checkpoint {
    public let directory: URL
    public let config: EncoderConfig
    /// config.json as found, written back unchanged when the model is saved.
    public let configJSON: Data
    public let tokenizer: any Tokenizer
    public let encoder: Encoder
    /// Tensors in the file that the encoder does not use (e.g. "cls.predictions.bias").
    public let ignoredTensors: [String]

    public init(directory: URL, config: EncoderConfig, configJSON: Data, tokenizer: any Tokenizer, encoder: Encoder,
                ignoredTensors: [String]) {
        self.directory = directory; self.config = config; self.configJSON = configJSON
        self.tokenizer = tokenizer; self.encoder = encoder; self.ignoredTensors = ignoredTensors
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
        let (encoder, ignored) = try loadWeights(directory, config: config)
        guard tokenizer.vocabularySize <= config.vocabSize else {
            throw ModelError.invalidConfig(
                path: configURL.path,
                reason: "vocab_size \(config.vocabSize) is smaller than the tokenizer's vocabulary (\(tokenizer.vocabularySize))")
        }
        return Checkpoint(directory: directory, config: config, configJSON: configJSON, tokenizer: tokenizer,
                          encoder: encoder, ignoredTensors: ignored)
    }

    /// Reads model.safetensors into a new parameter block laid out for `config`.
    public static func loadWeights(_ directory: URL, config: EncoderConfig) throws -> (Encoder, ignored: [String]) {
        let url = directory.appendingPathComponent("model.safetensors")
        guard FileManager.default.fileExists(atPath: url.path) else {
            let bin = directory.appendingPathComponent("pytorch_model.bin")
            if FileManager.default.fileExists(atPath: bin.path) {
                throw ModelError.unsupported(path: bin.path, what: "weights format pytorch_model.bin (convert to model.safetensors first)")
            }
            throw ModelError.missingFile(path: url.path, what: "model.safetensors")
        }
        let file = try SafeTensorsFile(url: url)
        var byName: [String: TensorInfo] = [:]
        var ignored: [String] = []
        for t in file.tensors {
            guard let name = canonicalName(t.name, family: config.family) else { ignored.append(t.name); continue }
            if byName[name] != nil {
                throw ModelError.unexpectedParameter(path: url.path, name: "\(t.name) (a second tensor for '\(name)')")
            }
            byName[name] = t
        }
        let layout = ParameterLayout.make(config, pooler: byName["pooler.dense.weight"] != nil)
        for name in byName.keys where layout.entry(name) == nil {
            throw ModelError.unexpectedParameter(path: url.path, name: byName[name]!.name)
        }
        let block = FloatBuffer(count: layout.totalCount)
        for e in layout.entries {
            guard let t = byName[e.name] else { throw ModelError.missingParameter(path: url.path, name: e.name) }
            guard t.shape == e.shape else {
                throw ModelError.shapeMismatch(path: url.path, name: t.name, expected: e.shape, found: t.shape)
            }
            try file.readFloats(t.name, into: UnsafeMutableBufferPointer(start: block.pointer + e.offset, count: e.count))
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
