// Builds small random-init model folders at test time: a config.json, a model.safetensors of
// normal(0, 0.05) weights (LayerNorm weights 1, biases 0), and the tokenizer files copied from
// another folder (e.g. all-MiniLM-L6-v2), so command-line runs stay fast. `make` writes a BERT;
// `withVocabulary` gives a committed tiny fixture of any family (RoBERTa, XLM-R, MPNet) a real
// tokenizer by replacing its word embeddings with a random [vocabSize, hidden] table.

import Foundation
import Kernels
import SafeTensors

public enum TinyModelFactory {
    /// Writes the folder; `tokenizerFrom` must hold vocab.txt/tokenizer.json whose vocabulary
    /// fits in `vocabSize`.
    public static func make(at dir: URL, tokenizerFrom source: URL, vocabSize: Int, hidden: Int = 32, layers: Int = 2,
                            heads: Int = 4, intermediate: Int = 37, maxPositions: Int = 128, seed: UInt64 = 1) throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let config = """
        {"architectures": ["BertModel"], "model_type": "bert", "vocab_size": \(vocabSize), "hidden_size": \(hidden),
         "num_hidden_layers": \(layers), "num_attention_heads": \(heads), "intermediate_size": \(intermediate),
         "hidden_act": "gelu", "max_position_embeddings": \(maxPositions), "type_vocab_size": 2,
         "layer_norm_eps": 1e-12, "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
         "pad_token_id": 0, "position_embedding_type": "absolute"}
        """
        try Data(config.utf8).write(to: dir.appendingPathComponent("config.json"))
        var shapes: [(String, [Int])] = [
            ("embeddings.word_embeddings.weight", [vocabSize, hidden]),
            ("embeddings.position_embeddings.weight", [maxPositions, hidden]),
            ("embeddings.token_type_embeddings.weight", [2, hidden]),
            ("embeddings.LayerNorm.weight", [hidden]), ("embeddings.LayerNorm.bias", [hidden]),
        ]
        for l in 0..<layers {
            let p = "encoder.layer.\(l)."
            for m in ["attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"] {
                shapes += [(p + m + ".weight", [hidden, hidden]), (p + m + ".bias", [hidden])]
            }
            shapes += [(p + "attention.output.LayerNorm.weight", [hidden]), (p + "attention.output.LayerNorm.bias", [hidden]),
                       (p + "intermediate.dense.weight", [intermediate, hidden]), (p + "intermediate.dense.bias", [intermediate]),
                       (p + "output.dense.weight", [hidden, intermediate]), (p + "output.dense.bias", [hidden]),
                       (p + "output.LayerNorm.weight", [hidden]), (p + "output.LayerNorm.bias", [hidden])]
        }
        shapes += [("pooler.dense.weight", [hidden, hidden]), ("pooler.dense.bias", [hidden])]
        var rng = Rng(seed: seed)
        let values: [[Float]] = shapes.map { name, shape in
            let n = shape.reduce(1, *)
            if name.hasSuffix("LayerNorm.weight") { return [Float](repeating: 1, count: n) }
            if name.hasSuffix(".bias") { return [Float](repeating: 0, count: n) }
            return normals(n, &rng)
        }
        try write(shapes, values, to: dir)
        try copyTokenizer(from: source, to: dir)
    }

    /// Writes sentence-transformers files into `dir` as sentence-transformers 2–5 save them
    /// (written by hand here, independently of the code under test): a Transformer, a Pooling
    /// module of `pooling` ("cls" or "mean"), a Normalize module if `normalize`, and
    /// `max_seq_length` if given.
    public static func declare(at dir: URL, pooling: String, normalize: Bool, maxSeqLength: Int?, hidden: Int = 32) throws {
        var modules = [#"{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"}"#,
                       #"{"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}"#]
        if normalize {
            modules.append(#"{"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}"#)
        }
        try Data(("[\n" + modules.joined(separator: ",\n") + "\n]\n").utf8).write(to: dir.appendingPathComponent("modules.json"))
        let poolingDir = dir.appendingPathComponent("1_Pooling")
        try FileManager.default.createDirectory(at: poolingDir, withIntermediateDirectories: true)
        let poolingConfig = """
            {"word_embedding_dimension": \(hidden), "pooling_mode_cls_token": \(pooling == "cls"),
             "pooling_mode_mean_tokens": \(pooling == "mean"), "pooling_mode_max_tokens": false,
             "pooling_mode_mean_sqrt_len_tokens": false}
            """
        try Data(poolingConfig.utf8).write(to: poolingDir.appendingPathComponent("config.json"))
        let sbert = maxSeqLength.map { #"{"max_seq_length": \#($0), "do_lower_case": false}"# } ?? #"{"do_lower_case": false}"#
        try Data(sbert.utf8).write(to: dir.appendingPathComponent("sentence_bert_config.json"))
    }

    /// Copies the tiny model folder `fixture` (config.json, model.safetensors: F32, any family) to
    /// `dir` with the tokenizer of `source` and a random `embeddings.word_embeddings.weight` of
    /// [vocabSize, hidden]; every other tensor and config entry is kept.
    public static func withVocabulary(_ fixture: URL, at dir: URL, tokenizerFrom source: URL, vocabSize: Int,
                                      seed: UInt64 = 1) throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let configData = try Data(contentsOf: fixture.appendingPathComponent("config.json"))
        guard var config = try JSONSerialization.jsonObject(with: configData) as? [String: Any] else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: fixture.path + "/config.json"])
        }
        config["vocab_size"] = vocabSize
        try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted, .sortedKeys])
            .write(to: dir.appendingPathComponent("config.json"))
        let file = try SafeTensorsFile(url: fixture.appendingPathComponent("model.safetensors"))
        var rng = Rng(seed: seed)
        var shapes: [(String, [Int])] = [], values: [[Float]] = []
        for info in file.tensors {
            if info.name.hasSuffix("embeddings.word_embeddings.weight") {
                shapes.append((info.name, [vocabSize, info.shape[1]]))
                values.append(normals(vocabSize * info.shape[1], &rng))
            } else {
                shapes.append((info.name, info.shape))
                values.append(try file.floats(info.name))
            }
        }
        try write(shapes, values, to: dir)
        try copyTokenizer(from: source, to: dir)
    }

    /// n samples of normal(0, 0.05) (Box–Muller).
    private static func normals(_ n: Int, _ rng: inout Rng) -> [Float] {
        (0..<n).map { _ in
            let u1 = max(rng.uniform(), 1e-7), u2 = rng.uniform()
            return 0.05 * (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Float.pi * u2)
        }
    }

    private static func write(_ shapes: [(String, [Int])], _ values: [[Float]], to dir: URL) throws {
        try withBuffers(values) { buffers in
            try SafeTensorsWriter.write(zip(shapes, buffers).map { (name: $0.0.0, shape: $0.0.1, data: $0.1) },
                                        metadata: ["format": "pt"], to: dir.appendingPathComponent("model.safetensors"))
        }
    }

    private static func copyTokenizer(from source: URL, to dir: URL) throws {
        for name in ["tokenizer.json", "vocab.txt", "vocab.json", "merges.txt", "tokenizer_config.json",
                     "special_tokens_map.json"] {
            let src = source.appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: src.path) {
                try FileManager.default.copyItem(at: src, to: dir.appendingPathComponent(name))
            }
        }
    }

    private static func withBuffers<R>(_ arrays: [[Float]], _ body: ([UnsafeBufferPointer<Float>]) throws -> R) rethrows -> R {
        var pointers: [UnsafeMutableBufferPointer<Float>] = []
        defer { for p in pointers { p.deallocate() } }
        for a in arrays {
            let p = UnsafeMutableBufferPointer<Float>.allocate(capacity: a.count)
            _ = p.initialize(from: a)
            pointers.append(p)
        }
        return try body(pointers.map { UnsafeBufferPointer($0) })
    }
}

/// A fresh temporary folder, removed by `cleanup()`.
public struct TemporaryDirectory {
    public let url: URL
    public init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("mirror-bert-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    public func cleanup() { try? FileManager.default.removeItem(at: url) }
    public func file(_ name: String) -> URL { url.appendingPathComponent(name) }
}
