// Embedder bookkeeping on a tiny random BERT: the token counts it returns are the encoder's, per
// text in input order, after truncation.

import Foundation
import Kernels
import Models
import Testing
import TestSupport

@Suite struct EmbedderTests {
    @Test func embedReturnsEachTextsTokenCountAfterTruncation() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mirror-embedder-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try TinyModelFactory.make(at: dir, tokenizerFrom: TestPaths.fixture("tokenizers/tiny-uncased"), vocabSize: 276)
        let checkpoint = try Checkpoint.load(dir)
        let embedder = try Embedder(checkpoint, options: EmbedOptions(pooling: .meanMasked, maxLength: 8, batchSize: 2))
        let texts = ["a", "the quick brown fox jumps over the lazy dog again and again", "", "hello world"]
        let out = FloatBuffer(count: texts.count * embedder.dimension)
        let tokens = try embedder.embed(texts, into: out.pointer)
        #expect(tokens == texts.map { checkpoint.tokenizer.encode($0, maxLength: 8).ids.count })
        #expect(tokens[1] == 8 && tokens[2] == 2)  // truncated; only [CLS] [SEP]
        #expect(embedder.tokenCount == tokens.reduce(0, +))
        let longer = texts.filter { checkpoint.tokenizer.encode($0, maxLength: nil).ids.count > 8 }
        #expect(embedder.truncatedCount == longer.count && longer.count >= 1)
    }
}
