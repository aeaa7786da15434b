// Not a timed test: prints encoding throughput when TOKENIZERS_MEASURE=1, e.g.
//   TOKENIZERS_MEASURE=1 swift test -c release --filter TokenizersTests.SpeedMeasurement

import Foundation
import FileIO
import Testing
import TestSupport
import Tokenizers

private let measuring = ProcessInfo.processInfo.environment["TOKENIZERS_MEASURE"] == "1"
    && TestPaths.exists(TestPaths.miniLM.appendingPathComponent("tokenizer.json"))

@Suite(.enabled(if: measuring, "set TOKENIZERS_MEASURE=1 to measure"))
struct SpeedMeasurement {
    /// One file after another, so the numbers are not shared between parallel tests.
    @Test func encodeCorpora() throws {
        let tokenizer = try TokenizerLoader.load(from: TestPaths.miniLM)
        let loadStart = Date()
        _ = try TokenizerLoader.load(from: TestPaths.miniLM)
        print(String(format: "load: %.3f s", Date().timeIntervalSince(loadStart)))
        for file in ["stsbenchmark_train_10k_sents_random_sampled.txt", "russian_wikimatrix_10k_sents_random_sampled.txt",
                     "arabic_wikimatrix_10k_sents_random_sampled.txt", "zh_words_top_10k.txt"] {
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
}
