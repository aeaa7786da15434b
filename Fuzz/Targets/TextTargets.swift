// The text formats: corpus and evaluation lines, config.json, tokenizer.json and a model card.

import Evaluation
import FileIO
import Foundation
import Models
import Tokenizers
import Training

extension FuzzTargets {
    static func config(_ root: URL) -> FuzzTarget {
        let seeds = files(root, ["models/all-MiniLM-L6-v2/config.json", "Tests/Fixtures/bert/tiny/config.json",
                                 "Tests/Fixtures/bert/tiny-roberta/config.json", "Tests/Fixtures/bert/tiny-mpnet/config.json",
                                 "Tests/Fixtures/bert/tiny-xlm-roberta/config.json",
                                 "Tests/Fixtures/torchpickle/tiny-bert/config.json"])
        return FuzzTarget(name: "config", seeds: seeds, maxSize: 1 << 16, dictionaries: ["json", "config"]) { input in
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
                                 "Tests/Fixtures/tokenizers/roberta-bpe/tokenizer.json",
                                 "Tests/Fixtures/torchpickle/tiny-bert/tokenizer.json",
                                 "models/all-MiniLM-L6-v2/tokenizer.json"])
        let samples = ["Hello, world! It's 2021.", "Ünïcödé — 中文 😀 \u{0}\u{FFFD}", "", "   ", "[MASK] <mask> [CLS]",
                       String(repeating: "a", count: 300)]
        // 512 KiB: the largest real tokenizer.json here (all-MiniLM-L6-v2's, 455 KiB) fits whole.
        return FuzzTarget(name: "tokenizer", seeds: seeds, maxSize: 1 << 19, dictionaries: ["json", "tokenizer"]) { input in
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
        let scratch = ScratchFolder()
        return FuzzTarget(name: "text-lines", seeds: seeds, maxSize: 1 << 16, dictionaries: ["text-lines"]) { input in
            let data = Data(input)
            let file = scratch.file("in.txt")
            // The streaming reader must agree with the in-memory splitter: same lines or same error.
            let split = Result { try data.withUnsafeBytes { try TextLines.split($0, path: "in.txt") } }
            try data.write(to: file)
            let streamed = Result { () throws -> [String] in
                let reader = try LineReader(url: file, bufferSize: 16)
                var lines: [String] = []
                while let l = try reader.next() { lines.append(l) }
                return lines
            }
            switch (split, streamed) {
            case let (.success(a), .success(b)):
                guard a == b else { fatalError("LineReader and TextLines.split disagree on \(input)") }
            case let (.failure(a as FileIOError), .failure(b as FileIOError)):
                guard a.description.replacingOccurrences(of: file.path, with: "in.txt") == b.description
                        .replacingOccurrences(of: file.path, with: "in.txt") || { if case .lineTooLong = b { return true }; return false }()
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
            // Either outcome is fine for the evaluation sets; only a crash is not.
            _ = try? EvalPairSet.parse(lines: lines, path: "in.tsv", name: "x", metric: .rocAUC)
            _ = try? EvalPairSet.parse(lines: lines, path: "in.tsv", name: "x")
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
        return FuzzTarget(name: "model-card", seeds: seeds, maxSize: 1 << 16, dictionaries: ["model-card"]) { input in
            let once = ModelCard.replacingResults(in: String(decoding: input, as: UTF8.self), name: "m", with: results)
            precondition(ModelCard.replacingResults(in: once, name: "m", with: results) == once,
                         "model-card: replacing the results twice changed the card")
        }
    }
}
