// Every parser of outside data, as a fuzz target seeded from the repository's real files:
//   safetensors     SafeTensorsFile(data:) (header and buffer), then every float tensor read
//   config          EncoderConfig.parse, then the parameter layout a load would allocate
//   tokenizer       tokenizer.json → a tokenizer, then a few encodings (loading and use)
//   text-lines      TextLines.split against the streaming LineReader (same lines or same error),
//                   MirrorCorpus in each mode (in memory and by offset), EvalPairSet.parse
//   index           IndexFile.read (the search index format)
//   server-json     the HTTP API's request bodies (embeddings, similarity, search)
//   torch           TorchCheckpoint(data:) — pytorch_model.bin (zip + pickle)
//   trainer-state   trainer_state.json of a resumable checkpoint
//   model-card      README.md as `eval --card` rewrites it (ModelCard.replacingResults): applying
//                   the same results twice must give what applying them once gives

import Evaluation
import FileIO
import Foundation
import Models
import SafeTensors
import Search
import Server
import Tokenizers
import TorchPickle
import Training

public enum FuzzTargets {
    /// All targets, seeded from files under `root` (the repository).
    public static func all(root: URL) -> [FuzzTarget] {
        [safetensors(root), config(root), tokenizer(root), textLines(root), index(root), serverJSON(), torch(root),
         trainerState(), modelCard(root)]
    }

    static func files(_ root: URL, _ paths: [String]) -> [[UInt8]] {
        paths.compactMap { try? [UInt8](Data(contentsOf: root.appendingPathComponent($0))) }
    }

    static func files(_ root: URL, in folder: String, ext: String, maxBytes: Int = 1 << 20) -> [[UInt8]] {
        let dir = root.appendingPathComponent(folder)
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted()
        return names.filter { $0.hasSuffix(ext) }.compactMap { name in
            guard let d = try? Data(contentsOf: dir.appendingPathComponent(name)), d.count <= maxBytes else { return nil }
            return [UInt8](d)
        }
    }

    // MARK: - Targets

    static func safetensors(_ root: URL) -> FuzzTarget {
        FuzzTarget(name: "safetensors", seeds: files(root, in: "Tests/Fixtures/safetensors", ext: ".safetensors")
                   + files(root, in: "Tests/Fixtures/bert/tiny", ext: ".safetensors")) { input in
            let file = try SafeTensorsFile(data: Data(input))
            for t in file.tensors where [.f32, .f16, .bf16].contains(t.dtype) {
                _ = try file.floats(t.name)
            }
        }
    }

    static func config(_ root: URL) -> FuzzTarget {
        let seeds = files(root, ["models/all-MiniLM-L6-v2/config.json", "Tests/Fixtures/bert/tiny/config.json",
                                 "Tests/Fixtures/bert/tiny-roberta/config.json", "Tests/Fixtures/bert/tiny-mpnet/config.json",
                                 "Tests/Fixtures/bert/tiny-xlm-roberta/config.json"])
        return FuzzTarget(name: "config", seeds: seeds, maxSize: 1 << 16) { input in
            let config = try EncoderConfig.parse(Data(input), path: "config.json")
            _ = ParameterLayout.make(config, pooler: true).totalCount
        }
    }

    static func tokenizer(_ root: URL) -> FuzzTarget {
        let seeds = files(root, ["Tests/Fixtures/tokenizers/tiny-uncased/tokenizer.json",
                                 "Tests/Fixtures/tokenizers/tiny-cased/tokenizer.json",
                                 "Tests/Fixtures/tokenizers/bpe-suffix/tokenizer.json",
                                 "Tests/Fixtures/tokenizers/bpe-fallback/tokenizer.json",
                                 "Tests/Fixtures/tokenizers/unigram-nfkc/tokenizer.json",
                                 "Tests/Fixtures/tokenizers/xlmr-spm/tokenizer.json",
                                 "Tests/Fixtures/tokenizers/roberta-bpe/tokenizer.json"])
        let samples = ["Hello, world! It's 2021.", "Ünïcödé — 中文 😀 \u{0}\u{FFFD}", "", "   ", "[MASK] <mask> [CLS]",
                       String(repeating: "a", count: 300)]
        return FuzzTarget(name: "tokenizer", seeds: seeds, maxSize: 1 << 18) { input in
            let t = try TokenizerLoader.load(tokenizerJSON: Data(input), path: "tokenizer.json")
            for s in samples { _ = t.encode(s, maxLength: 16); _ = t.encode(s, maxLength: nil) }
        }
    }

    static func textLines(_ root: URL) -> FuzzTarget {
        var seeds: [[UInt8]] = [
            Array("\u{FEFF}first line\r\n\n   \nsecond  line \n\tthird".utf8),
            Array("a b||c d\n\nx|||y\n p || q \n".utf8),
            Array("4.5\tA man plays.\tA man is playing.\n0\tx\ty\textra\n1\tQ?\tA.\r\n".utf8),
        ]
        // The first lines of a real corpus and STS set, where the shared data is present.
        for path in ["../shared/data/train/stsbenchmark_train_10k_sents_random_sampled.txt",
                     "../shared/data/eval/stsb/test.tsv"] {
            if let d = try? Data(contentsOf: root.appendingPathComponent(path)) { seeds.append([UInt8](d.prefix(4096))) }
        }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("mirror-bert-fuzz-\(getpid()).txt")
        return FuzzTarget(name: "text-lines", seeds: seeds, maxSize: 1 << 16) { input in
            let data = Data(input)
            // The streaming reader must agree with the in-memory splitter: same lines or same error.
            let split = Result { try data.withUnsafeBytes { try TextLines.split($0, path: "in.txt") } }
            try data.write(to: scratch)
            let streamed = Result { () throws -> [String] in
                let reader = try LineReader(url: scratch, bufferSize: 16)
                var lines: [String] = []
                while let l = try reader.next() { lines.append(l) }
                return lines
            }
            switch (split, streamed) {
            case let (.success(a), .success(b)):
                guard a == b else { fatalError("LineReader and TextLines.split disagree on \(input)") }
            case let (.failure(a as FileIOError), .failure(b as FileIOError)):
                guard a.description.replacingOccurrences(of: scratch.path, with: "in.txt") == b.description
                        .replacingOccurrences(of: scratch.path, with: "in.txt") || { if case .lineTooLong = b { return true }; return false }()
                else { fatalError("LineReader and TextLines.split fail differently: \(a) vs \(b)") }
            default:
                fatalError("LineReader and TextLines.split disagree on \(input): \(split) vs \(streamed)")
            }
            let lines = try split.get()
            for mode in CorpusMode.allCases {
                let inMemory = Result { try MirrorCorpus(lines: lines, mode: mode, path: "in.txt") }
                let mapped = Result { try MirrorCorpus(data: data, mode: mode, path: "in.txt") }
                if case let .success(m) = inMemory, case let .success(f) = mapped {
                    guard m.examples == f.examples, m.fingerprint == f.fingerprint, m.blankLines == f.blankLines,
                          (0..<m.count).allSatisfy({ m.textKey($0) == f.textKey($0) })
                    else { fatalError("MirrorCorpus in memory and by offset disagree on \(input)") }
                } else if case .success = inMemory {
                    fatalError("MirrorCorpus by offset refuses what the in-memory one reads: \(mapped)")
                }
            }
            _ = try? EvalPairSet.parse(lines: lines, path: "in.tsv", name: "x", metric: .rocAUC)
            _ = try? EvalPairSet.parse(lines: lines, path: "in.tsv", name: "x")
        }
    }

    static func index(_ root: URL) -> FuzzTarget {
        // A small real index, made in memory.
        let identity = ModelIdentity(path: "models/x", weightsHash: "0123456789abcdef", configHash: "fedcba9876543210")
        var seeds: [[UInt8]] = []
        for (n, d) in [(3, 4), (0, 2), (1, 1)] {
            let header = IndexHeader(model: identity, pooling: .meanMasked, maxLength: 128, dimension: d, count: n)
            var vectors = [Float](repeating: 0, count: n * d)
            for r in 0..<n { vectors[r * d + r % d] = 1 }
            let texts = (0..<n).map { "text \($0) ünï" }
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("mirror-bert-fuzz-seed-\(getpid())-\(n).mbi")
            if (try? vectors.withUnsafeBufferPointer { try IndexFile.write(header: header, vectors: $0, texts: texts, to: url) }) != nil,
               let bytes = try? Data(contentsOf: url) {
                seeds.append([UInt8](bytes))
            }
            try? FileManager.default.removeItem(at: url)
        }
        return FuzzTarget(name: "index", seeds: seeds, maxSize: 1 << 16) { input in
            _ = try input.withUnsafeBytes { try IndexFile.read($0, path: "in.mbi") }
        }
    }

    static func serverJSON() -> FuzzTarget {
        let seeds = [
            #"{"input": "A man is playing a guitar.", "model": "all-MiniLM-L6-v2", "encoding_format": "base64"}"#,
            #"{"input": ["one", "two", "three"], "dimensions": 384, "user": "u"}"#,
            #"{"pairs": [["a", "b"], ["c", "d"]], "model": null}"#,
            #"{"query": ["guitar", "piano"], "k": 3}"#,
            #"{"query": "x", "k": 1000}"#,
        ].map { Array($0.utf8) }
        return FuzzTarget(name: "server-json", seeds: seeds, maxSize: 1 << 16) { input in
            var errors = 0
            for endpoint in RequestParsing.Endpoint.allCases {
                do { try RequestParsing.check(Data(input), endpoint: endpoint) } catch { errors += 1 }
            }
            if errors == RequestParsing.Endpoint.allCases.count { throw FuzzRejected.byEveryEndpoint }
        }
    }

    static func torch(_ root: URL) -> FuzzTarget {
        FuzzTarget(name: "torch", seeds: files(root, in: "Tests/Fixtures/torchpickle", ext: ".bin"), maxSize: 1 << 18) { input in
            // Checksums off half the time, so mutations reach the unpickler instead of the CRC check.
            let data = Data(input)
            let verify = input.count % 2 == 0
            let file = try TorchCheckpoint(data: data, verifyChecksums: verify)
            for t in file.tensors where [.f32, .f16, .bf16].contains(t.dtype) { _ = try file.floats(t.name) }
        }
    }

    static func trainerState() -> FuzzTarget {
        var o = TrainOptions.defaults(for: .sentence)
        o.maskToken = "[MASK]"
        let state = TrainerState(
            position: TrainingPosition(step: 5, epoch: 1, batch: 1, augmentationState: (1, 2, 3, 0xFFFF_FFFF_FFFF_FFFF)),
            totalSteps: 12, parameterCount: 1234, options: o, corpusPath: "corpus.txt", corpusExamples: 40,
            corpusFingerprint: 0xDEAD_BEEF, model: "models/x", output: "runs/y")
        let seeds = (try? TrainingCheckpoint.encode(state)).map { [[UInt8]($0)] } ?? []
        return FuzzTarget(name: "trainer-state", seeds: seeds, maxSize: 1 << 16) { input in
            _ = try TrainingCheckpoint.decode(Data(input), path: "trainer_state.json")
        }
    }

    static func modelCard(_ root: URL) -> FuzzTarget {
        let architecture = ModelCard.Architecture(family: .bert, layers: 2, hiddenSize: 32, heads: 4, maxPositions: 128,
                                                  settings: FolderSettings(pooling: .cls, normalize: true, maxLength: 64))
        let results = ModelCard.Results(
            pooling: "mean-masked", maxLength: 64,
            entries: [.init(set: "stsb", displayName: "STS-B", metric: .spearman, score: 82.05, pairs: 1379),
                      .init(set: "qnli", displayName: "QNLI", metric: .rocAUC, score: .nan, pairs: 4463)],
            averages: [("Average", .nan)])
        let card = ModelCard(name: "m: \"x\"", architecture: architecture, training: nil)
        let seeds = [[UInt8](card.render().utf8), [UInt8](ModelCard(name: "m", architecture: architecture, training: nil,
                                                                      results: results).render().utf8)]
            + files(root, ["models/all-MiniLM-L6-v2/README.md"])
        return FuzzTarget(name: "model-card", seeds: seeds, maxSize: 1 << 16) { input in
            let once = ModelCard.replacingResults(in: String(decoding: input, as: UTF8.self), name: "m", with: results)
            precondition(ModelCard.replacingResults(in: once, name: "m", with: results) == once,
                         "model-card: replacing the results twice changed the card")
        }
    }
}

enum FuzzRejected: Error { case byEveryEndpoint }
