// Not a timed test: prints encoding throughput when TOKENIZERS_MEASURE=1, e.g.
//   TOKENIZERS_MEASURE=1 swift test -c release --filter TokenizersTests.SpeedMeasurement

import Foundation
import FileIO
import Testing
import TestSupport
import Tokenizers

private let measuring = ProcessInfo.processInfo.environment["TOKENIZERS_MEASURE"] == "1"
    && TestPaths.exists(TestPaths.miniLM.appendingPathComponent("tokenizer.json"))
private let corpora = ["stsbenchmark_train_10k_sents_random_sampled.txt", "russian_wikimatrix_10k_sents_random_sampled.txt",
                       "arabic_wikimatrix_10k_sents_random_sampled.txt", "zh_words_top_10k.txt"]

@Suite(.enabled(if: measuring, "set TOKENIZERS_MEASURE=1 to measure"))
struct SpeedMeasurement {
    /// One file after another, so the numbers are not shared between parallel tests.
    @Test func encodeCorpora() throws {
        let tokenizer = try TokenizerLoader.load(from: TestPaths.miniLM)
        let loadStart = Date()
        _ = try TokenizerLoader.load(from: TestPaths.miniLM)
        print(String(format: "load: %.3f s", Date().timeIntervalSince(loadStart)))
        for file in corpora {
            let lines = try TextLines.read(TestPaths.data.appendingPathComponent("train/\(file)"))
            var tokens = 0
            let start = Date()
            for line in lines { tokens += tokenizer.encode(line, maxLength: 128).count }
            let seconds = Date().timeIntervalSince(start)
            print(String(format: "%@: %d lines, %d tokens in %.3f s (%.1f ms per 1000 lines)",
                         file, lines.count, tokens, seconds, seconds * 1_000_000 / Double(lines.count)))
            #expect(tokens > 0)
        }
    }

    /// The other families: the byte-level BPE and XLM-R-style fixtures, and all-mpnet-base-v2 if present.
    @Test func encodeFamilies() throws {
        var folders = [("roberta-bpe", TestPaths.fixture("tokenizers/roberta-bpe")),
                       ("xlmr-spm", TestPaths.fixture("tokenizers/xlmr-spm"))]
        let mpnet = TestPaths.root.appendingPathComponent("models/all-mpnet-base-v2")
        if TestPaths.exists(mpnet.appendingPathComponent("tokenizer.json")) { folders.append(("all-mpnet-base-v2", mpnet)) }
        for (name, folder) in folders {
            let tokenizer = try TokenizerLoader.load(from: folder)
            for file in corpora {
                let lines = try TextLines.read(TestPaths.data.appendingPathComponent("train/\(file)"))
                var tokens = 0
                let start = Date()
                for line in lines { tokens += tokenizer.encode(line, maxLength: 128).count }
                let seconds = Date().timeIntervalSince(start)
                print(String(format: "%@ %@: %d lines, %d tokens in %.3f s (%.1f ms per 1000 lines)",
                             name, file, lines.count, tokens, seconds, seconds * 1_000_000 / Double(lines.count)))
                #expect(tokens > 0)
            }
        }
    }
}
