// mirror-bert info: what a checkpoint folder holds.

import ArgumentParser
import Foundation
import Models

struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Show a model's architecture, parameter count, tokenizer, and how its folder says it is used (pooling, normalization, max length).")

    @OptionGroup var modelOptions: ModelOptions

    func run() throws {
        let ckpt = try modelOptions.load()
        let c = ckpt.config
        let params = ckpt.encoder.layout.totalCount
        let trainable = ckpt.encoder.layout.trainableCount
        var lines = [
            "model:        \(ckpt.directory.path)",
            "architecture: \(c.family.rawValue), \(c.layers) layers, hidden \(c.hiddenSize), \(c.heads) heads, intermediate \(c.intermediateSize), \(c.activation.rawValue)",
            "positions:    \(c.maxPositions) (sequences up to \(c.maxSequenceLength) tokens), token types \(c.typeVocabSize), LayerNorm eps \(c.layerNormEps)\(c.relativeAttentionBuckets > 0 ? ", relative attention bias \(c.relativeAttentionBuckets) buckets" : "")",
            "parameters:   \(params) (\(String(format: "%.1f", Double(params) / 1e6)) M; \(trainable) trained by Mirror-BERT\(ckpt.encoder.layout.hasPooler ? ", pooler kept as is" : ""))",
            "tokenizer:    \(ckpt.tokenizer.kind), vocabulary \(ckpt.tokenizer.vocabularySize), mask token \(ckpt.tokenizer.maskToken)",
        ]
        let s = ckpt.settings
        let declared = [
            "pooling \(s.pooling?.rawValue ?? "not declared")",
            s.normalize ? "normalized" : "not normalized",
            "max length \(s.maxLength.map { "\($0)" } ?? "not declared")",
        ]
        lines.append("embeddings:   \(declared.joined(separator: ", ")) (sentence-transformers files; encode, index, search and serve use these unless a flag says otherwise)")
        if let t = s.training {
            let rows = t.padded ? ", rows padded to it"
                : t.padQueries.map { ", packed rows with up to \($0) pad queries each" } ?? ", packed rows"
            lines.append("trained:      by mirror-bert with \(t.pooling.rawValue) pooling, max length \(t.maxLength)\(rows)\(t.pooling == .mean ? " (the paper's mean over padding; sentence-transformers' mean is mean-masked)" : "")")
        }
        for module in s.unappliedModules {
            lines.append("warning:      modules.json lists \(module), which mirror-bert does not apply")
        }
        if !ckpt.ignoredTensors.isEmpty {
            let shown = ckpt.ignoredTensors.prefix(4).joined(separator: ", ")
            lines.append("ignored:      \(ckpt.ignoredTensors.count) tensors not used by the encoder (\(shown)\(ckpt.ignoredTensors.count > 4 ? ", …" : ""))")
        }
        print(lines.joined(separator: "\n"))
    }
}
