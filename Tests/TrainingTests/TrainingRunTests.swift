// TrainingRun over a tiny random BERT: the run takes exactly the batches its epoch plans hold,
// with and without distinct texts per batch (planned upfront in the first case, per epoch in the
// second).

import Foundation
import Models
import Testing
import TestSupport
import Training

@Suite struct TrainingRunTests {
    @Test(arguments: [true, false])
    func runTakesEveryPlannedBatchOnce(distinct: Bool) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mirror-run-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try TinyModelFactory.make(at: dir, tokenizerFrom: TestPaths.fixture("tokenizers/tiny-uncased"), vocabSize: 276,
                                  layers: 1)
        let checkpoint = try Checkpoint.load(dir)
        // 20 distinct sentences and one repeated 13 times: more copies than an epoch has batches,
        // so with distinct texts per batch epochs have fewer than ⌊33/4⌋ = 8 batches.
        let lines = (0..<20).map { "sentence number \($0) of the corpus" } + Array(repeating: "the same text", count: 13)
        let corpus = try MirrorCorpus(lines: lines, mode: .sentence, path: "corpus.txt")
        var options = TrainOptions.defaults(for: .sentence)
        options.batchSize = 4; options.epochs = 2; options.maxLength = 12; options.distinctTextsPerBatch = distinct
        let run = try TrainingRun(encoder: checkpoint.encoder, tokenizer: checkpoint.tokenizer, corpus: corpus,
                                  options: options)
        let planned = (0..<2).map { run.plan.batches(epoch: $0).count }
        #expect(run.batchesPerEpoch == planned)
        #expect(run.totalSteps == planned.reduce(0, +))
        #expect(distinct ? planned.allSatisfy { $0 < 8 } : planned == [8, 8])
        #expect(try run.run())
        let steps = run.records.filter { $0.loss != nil }
        #expect(steps.map(\.step) == Array(1...run.totalSteps))
        #expect(steps.map(\.epoch) == [Int](repeating: 1, count: planned[0]) + [Int](repeating: 2, count: planned[1]))
        #expect(run.isComplete)
    }
}
