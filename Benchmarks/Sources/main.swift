// mirror-bert-bench: times a Mirror-BERT training step and an encode pass for a model shape, in
// this process, and prints one JSON line (s/step, tokens/s, GFLOP/s, peak RSS). Benchmarks/run.sh
// runs it once per configuration (so each peak RSS is its own) next to the PyTorch reference and
// prints the table. Weights are random (normal 0.02; shapes are what matter for speed); texts are
// real sentences from the corpus, tokenized with the given tokenizer. `tokenize` times the
// tokenizer alone (load, then every corpus line; no model). `encode --model DIR` times a real
// checkpoint folder instead of a shape (its own tokenizer; the row is named after the folder).
//
// usage: mirror-bert-bench train|encode --shape bert-base|minilm-l12|minilm-l6 --corpus FILE
//          --tokenizer DIR [--steps N] [--batch-size 200] [--max-length 50] [--pooling mean]
//          [--pad-to-max] [--recompute auto|on|off] [--threads N]
//        mirror-bert-bench encode --model DIR --corpus FILE [--lines 2000] [--encode-batch 64]
//          [--max-batch-tokens N] [--max-length 128] [--pooling mean-masked] [--precision P]
//        mirror-bert-bench tokenize --corpus FILE --tokenizer DIR [--max-length 128]
//        mirror-bert-bench search-build --base A.npy[,B.npy] --rows N --kind exact|FACTORY --output FILE
//        mirror-bert-bench search-query --index FILE --queries Q.npy [--truth T | --write-truth T]
//          [--ef-search N] [--nprobe N] [--limit N]   (SearchBench.swift; Benchmarks/search.sh runs both)

import Foundation
import JSON
import Kernels
import Models
import Tokenizers
import Training

struct Shape {
    let name: String, layers: Int, hidden: Int, heads: Int, intermediate: Int
    static let all = [
        Shape(name: "bert-base", layers: 12, hidden: 768, heads: 12, intermediate: 3072),
        Shape(name: "minilm-l12", layers: 12, hidden: 384, heads: 12, intermediate: 1536),
        Shape(name: "minilm-l6", layers: 6, hidden: 384, heads: 12, intermediate: 1536),
    ]
    /// Multiply-add FLOPs of one forward pass over `tokens` tokens in rows of length T.
    func forwardFLOPs(tokens: Int, sequence T: Int) -> Double {
        let perToken = 2.0 * Double(4 * hidden * hidden + 2 * hidden * intermediate) + 4.0 * Double(T * hidden)
        return perToken * Double(tokens) * Double(layers)
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data(("mirror-bert-bench: " + message + "\n").utf8))
    exit(2)
}

func peakRSSMegabytes() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

/// Prints `result` with the peak RSS added as one JSON line (and the profile, if on, to stderr).
func report(_ result: [String: JSONValue]) {
    var result = result
    result["peak_rss_mb"] = .double(peakRSSMegabytes())
    if Profiler.enabled { FileHandle.standardError.write(Data((Profiler.report() + "\n").utf8)) }
    print(String(decoding: JSONValue.object(result.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }).serialized(), as: UTF8.self))
}

var args = Array(CommandLine.arguments.dropFirst())
guard let mode = args.first, ["train", "encode", "tokenize", "gemm", "search-build", "search-query"].contains(mode) else {
    fail("first argument: train, encode, tokenize, gemm, search-build or search-query")
}
args.removeFirst()
var options: [String: String] = [:]
var flags: Set<String> = []
while let a = args.first {
    args.removeFirst()
    guard a.hasPrefix("--") else { fail("unexpected argument \(a)") }
    if a == "--pad-to-max" { flags.insert(a); continue }
    guard let v = args.first else { fail("\(a) needs a value") }
    options[a] = v
    args.removeFirst()
}
if mode == "gemm" {  // the linear layers' products at --tokens × --in × --out (default MiniLM's FFN)
    if let t = options["--threads"], let n = Int(t) { Parallel.threads = n; BLAS.threads = n }
    let rows = gemmBenchmark(tokens: Int(options["--tokens"] ?? "20000") ?? 20000, inFeatures: Int(options["--in"] ?? "384") ?? 384,
                             outFeatures: Int(options["--out"] ?? "1536") ?? 1536, repeats: Int(options["--repeats"] ?? "5") ?? 5)
    report(["mode": .string("gemm"), "library": .string(BLAS.library), "threads": .int(BLAS.threads),
            "native_bf16": .bool(Precision.hasNativeBF16), "products": .array(rows)])
    exit(0)
}
if mode.hasPrefix("search-") {  // Benchmarks/search.sh (SearchBench.swift)
    do { report(try searchBenchmark(mode: mode, options: options)) } catch { fail("\(error)") }
    exit(0)
}
let modelDir = options["--model"]
if modelDir != nil && mode != "encode" { fail("--model is for encode") }
guard let corpus = options["--corpus"], let tokenizerDir = options["--tokenizer"] ?? modelDir else {
    fail("--corpus and --tokenizer (or --model) are required")
}
if let t = options["--threads"], let n = Int(t) { Parallel.threads = n; BLAS.threads = n }
let steps = Int(options["--steps"] ?? "3") ?? 3
let batchSize = Int(options["--batch-size"] ?? "200") ?? 200
let maxLength = Int(options["--max-length"] ?? (mode == "tokenize" ? "128" : "50")) ?? 50
guard let pooling = Pooling(rawValue: options["--pooling"] ?? "mean") else { fail("--pooling cls|mean|mean-masked") }

let loadStart = Date()
let tokenizer = try TokenizerLoader.load(from: URL(fileURLWithPath: tokenizerDir))
let loadSeconds = Date().timeIntervalSince(loadStart)
let lines = try String(contentsOfFile: corpus, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: true).map(String.init)

if mode == "tokenize" {
    // One line after another, truncated to --max-length as the trainer and encoder do.
    var tokens = 0
    let t0 = Date()
    for line in lines { tokens += tokenizer.encode(line, maxLength: maxLength).count }
    let dt = Date().timeIntervalSince(t0)
    report(["mode": .string(mode), "tokenizer": .string(URL(fileURLWithPath: tokenizerDir).lastPathComponent),
            "corpus": .string(URL(fileURLWithPath: corpus).lastPathComponent), "max_length": .int(maxLength),
            "load_seconds": .double(loadSeconds), "lines": .int(lines.count), "tokens": .int(tokens), "seconds": .double(dt),
            "ms_per_1000_lines": .double(dt * 1_000_000 / Double(max(1, lines.count))),
            "real_tokens_per_s": .double(Double(tokens) / dt)])
    exit(0)
}

/// A shape's encoder with random weights (normal 0.02, LayerNorm 1, biases 0).
func randomEncoder(_ shape: Shape) -> Encoder {
    let config = EncoderConfig(vocabSize: tokenizer.vocabularySize, hiddenSize: shape.hidden, layers: shape.layers,
                               heads: shape.heads, intermediateSize: shape.intermediate, maxPositions: 512, typeVocabSize: 2)
    let layout = ParameterLayout.make(config, pooler: false)
    let block = FloatBuffer(count: layout.totalCount)
    var rng = Rng(seed: 1)
    for e in layout.entries {
        for i in e.range {
            if e.name.hasSuffix("LayerNorm.weight") { block[i] = 1 } else if e.name.hasSuffix(".bias") { block[i] = 0 } else {
                block[i] = 0.02 * rng.gaussian()
            }
        }
    }
    return Encoder(config: config, layout: layout, parameters: block)
}
let shapeName: String
let encoder: Encoder
var shape: Shape?  // nil for a model folder
if let modelDir {
    let url = URL(fileURLWithPath: modelDir)
    do { encoder = try Checkpoint.load(url).encoder } catch { fail("\(modelDir): \(error)") }
    shapeName = url.lastPathComponent
} else {
    guard let named = Shape.all.first(where: { $0.name == options["--shape"] }) else {
        fail("--shape one of \(Shape.all.map(\.name)), or --model DIR")
    }
    encoder = randomEncoder(named)
    shapeName = named.name
    shape = named
}
guard let request = PrecisionRequest(rawValue: options["--precision"] ?? "fp32") else { fail("--precision fp32|bf16|bf16-reference|auto") }
let precision: Precision
do { precision = try request.resolve() } catch { fail("\(error)") }
encoder.setPrecision(precision)

var result: [String: JSONValue] = ["shape": .string(shapeName), "mode": .string(mode), "threads": .int(Parallel.threads),
                                   "precision": .string(precision.rawValue), "library": .string(BLAS.library)]
if mode == "train", let shape {
    var o = TrainOptions.defaults(for: .sentence)
    o.batchSize = batchSize; o.maxLength = maxLength; o.pooling = pooling; o.padToMax = flags.contains("--pad-to-max")
    if let r = options["--recompute"] { guard let p = RecomputePolicy(rawValue: r) else { fail("--recompute auto|on|off") }; o.recompute = p }
    if let k = options["--pad-queries"] { guard let n = Int(k) else { fail("--pad-queries K") }; o.padQueries = n }
    let trainer = try MirrorTrainer(encoder: encoder, tokenizer: tokenizer, options: o)
    result["recompute"] = .bool(trainer.recomputes)
    var augment = Rng(seed: 2)
    var times: [Double] = [], tokens = 0, padded = 0, flops = 0.0
    for s in 0...steps {  // step 0 warms up (allocation) and is not timed
        let start = (s * batchSize) % max(1, lines.count - batchSize)
        let texts = Array(lines[start..<(start + batchSize)])
        let (v1, v2) = trainer.views(texts.enumerated().map { MirrorExample(view1: $1, view2: $1, line: $0) }, rng: &augment)
        let t0 = Date()
        let r = try trainer.step(view1: v1, view2: v2)
        let dt = Date().timeIntervalSince(t0)
        if s == 0 { Profiler.reset() }
        if s > 0 {
            times.append(dt); tokens += r.tokens; padded += r.paddedTokens
            flops += 3 * shape.forwardFLOPs(tokens: r.paddedTokens, sequence: r.paddedTokens / (2 * batchSize))
        }
    }
    let total = times.reduce(0, +)
    result["seconds_per_step"] = .double(total / Double(steps))
    result["real_tokens_per_s"] = .double(Double(tokens) / total)
    result["padded_tokens_per_step"] = .int(padded / steps)
    result["gflops"] = .double(flops / total / 1e9)
} else {
    let texts = Array(lines.prefix(Int(options["--lines"] ?? "2000") ?? 2000))
    let embedder = try Embedder(encoder: encoder, tokenizer: tokenizer, options: EmbedOptions(
        pooling: pooling, maxLength: maxLength, batchSize: Int(options["--encode-batch"] ?? "64") ?? 64,
        maxBatchTokens: options["--max-batch-tokens"].flatMap { Int($0) }, precision: precision))
    _ = try embedder.embed(Array(texts.prefix(64)))  // warm-up
    let before = embedder.tokenCount
    let t0 = Date()
    _ = try embedder.embed(texts)
    let dt = Date().timeIntervalSince(t0)
    result["sentences_per_s"] = .double(Double(texts.count) / dt)
    result["seconds"] = .double(dt)
    result["real_tokens_per_s"] = .double(Double(embedder.tokenCount - before) / dt)
}
report(result)
