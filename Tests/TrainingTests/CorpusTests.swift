// MirrorCorpus loading rules and EpochPlan batching, on small written files and on the paper's
// sentence corpus (shared data: stsbenchmark_train_10k_sents_random_sampled.txt).

import FileIO
import Foundation
import Testing
import TestSupport
@testable import Training

private func temporaryFile(_ contents: String, name: String = "corpus.txt") throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mirror-training-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let url = dir.appendingPathComponent(name)
    try Data(contents.utf8).write(to: url)
    return url
}

@Suite struct MirrorCorpusTests {
    @Test func sentenceModeBothViewsAndBlankLines() throws {
        let url = try temporaryFile("\u{FEFF}first line\r\n\n   \nsecond  line \n\tthird\n")
        let corpus = try MirrorCorpus.load(url, mode: .sentence)
        #expect(corpus.examples.map(\.view1) == ["first line", "second  line ", "\tthird"])
        #expect(corpus.examples.map(\.view2) == corpus.examples.map(\.view1))
        #expect(corpus.examples.map(\.line) == [1, 4, 5])
        #expect(corpus.blankLines == 2)
        #expect(try MirrorCorpus(lines: ["dog", "cat"], mode: .word, path: "w").count == 2)
    }

    @Test func pairsMode() throws {
        let corpus = try MirrorCorpus(lines: ["a b||c d", "", "x|||y", " p || q "], mode: .pairs, path: "p.txt")
        #expect(corpus.examples.map(\.view1) == ["a b", "x", " p "])
        #expect(corpus.examples.map(\.view2) == ["c d", "|y", " q "])
        #expect(corpus.blankLines == 1)
    }

    @Test func pairErrorsNameFileAndLine() throws {
        #expect(throws: TrainingDataError.malformedPair(path: "p.txt", line: 2, separators: 0)) {
            try MirrorCorpus(lines: ["a||b", "no separator"], mode: .pairs, path: "p.txt")
        }
        #expect(throws: TrainingDataError.malformedPair(path: "p.txt", line: 1, separators: 2)) {
            try MirrorCorpus(lines: ["a||b||c"], mode: .pairs, path: "p.txt")
        }
        #expect(throws: TrainingDataError.emptyPairSide(path: "p.txt", line: 3)) {
            try MirrorCorpus(lines: ["a||b", "c||d", "||d"], mode: .pairs, path: "p.txt")
        }
        let message = TrainingDataError.malformedPair(path: "p.txt", line: 2, separators: 0).description
        #expect(message.hasPrefix("p.txt:2:"))
    }

    @Test func emptyCorpusIsAnError() throws {
        let url = try temporaryFile("\n  \n\n")
        #expect(throws: TrainingDataError.emptyCorpus(path: url.path, blankLines: 3)) {
            try MirrorCorpus.load(url, mode: .sentence)
        }
        let empty = try temporaryFile("")
        #expect(throws: TrainingDataError.emptyCorpus(path: empty.path, blankLines: 0)) {
            try MirrorCorpus.load(empty, mode: .word)
        }
    }

    @Test func invalidUTF8NamesFileAndLine() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mirror-training-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent("bad.txt")
        try Data([0x61, 0x0A, 0xFF, 0xFE, 0x0A]).write(to: url)
        #expect(throws: FileIOError.invalidUTF8(path: url.path, line: 2)) { try MirrorCorpus.load(url, mode: .sentence) }
    }

    @Test func smallerThanOneBatch() throws {
        let corpus = try MirrorCorpus(lines: (0..<10).map { "text \($0)" }, mode: .sentence, path: "small.txt")
        #expect(throws: TrainingDataError.smallerThanBatch(path: "small.txt", examples: 10, heldOut: 0, batchSize: 16)) {
            try EpochPlan(corpus: corpus, batchSize: 16, seed: 1)
        }
        let error = TrainingDataError.smallerThanBatch(path: "small.txt", examples: 9, heldOut: 1, batchSize: 10)
        #expect(error.description == "small.txt: 9 training examples (10 examples, 1 held out), fewer than one batch of 10")
        let repeated = try MirrorCorpus(lines: (0..<20).map { "text \($0 % 5)" }, mode: .sentence, path: "rep.txt")
        #expect(throws: TrainingDataError.tooFewDistinctTexts(path: "rep.txt", distinct: 5, batchSize: 8)) {
            try EpochPlan(corpus: repeated, batchSize: 8, seed: 1)
        }
        #expect(try EpochPlan(corpus: repeated, batchSize: 8, seed: 1, distinctTextsPerBatch: false).batches(epoch: 0).count == 2)
    }
}

@Suite struct EpochPlanTests {
    static let sentences = TestPaths.data.appendingPathComponent("train/stsbenchmark_train_10k_sents_random_sampled.txt")

    /// Every batch full, no repeated text in a batch, no example twice in an epoch.
    private func checkBatches(_ plan: EpochPlan, _ corpus: MirrorCorpus, epoch: Int) -> (batches: Int, duplicatesInBatches: Int) {
        let batches = plan.batches(epoch: epoch)
        var seen = Set<Int>()
        var duplicates = 0
        let training = Set(plan.trainingIndices)
        for batch in batches {
            #expect(batch.count == plan.batchSize)
            let texts = batch.map { corpus.example($0).view1.trimmingWhitespace() }
            duplicates += texts.count - Set(texts).count
            for i in batch {
                #expect(seen.insert(i).inserted, "example \(i) used twice in epoch \(epoch)")
                #expect(training.contains(i))
            }
        }
        return (batches.count, duplicates)
    }

    @Test(.enabled(if: TestPaths.exists(sentences)), arguments: [
        ("stsbenchmark_train_10k_sents_random_sampled.txt", 200), ("stsbenchmark_train_10k_sents_random_sampled.txt", 128),
        ("stsbenchmark_train_10k_sents_random_sampled.txt", 64), ("stsbenchmark_train_10k_sents_random_sampled.txt", 500),
        ("arabic_wikimatrix_10k_sents_random_sampled.txt", 200), ("russian_wikimatrix_10k_sents_random_sampled.txt", 200),
    ])
    func paperSentenceCorpora(file: String, batchSize: Int) throws {
        let corpus = try MirrorCorpus.load(TestPaths.data.appendingPathComponent("train/\(file)"), mode: .sentence)
        #expect(corpus.count == 10_000)
        let plan = try EpochPlan(corpus: corpus, batchSize: batchSize, seed: 42)
        let plain = try EpochPlan(corpus: corpus, batchSize: batchSize, seed: 42, distinctTextsPerBatch: false)
        // The most batches any procedure can fill: a text repeated more often than there are batches
        // can only be used once per batch (B = 500: "A man is playing a guitar." 34 times, 20 batches).
        let full = corpus.count / batchSize
        var repeats: [String: Int] = [:]
        for e in corpus.examples { repeats[e.view1.trimmingWhitespace(), default: 0] += 1 }
        let unusable = repeats.values.reduce(0) { $0 + max(0, $1 - full) }
        let attainable = min(full, (corpus.count - unusable) / batchSize)
        var plainDuplicates = 0
        var counts: [Int] = []
        for epoch in 0..<3 {
            let (count, duplicates) = checkBatches(plan, corpus, epoch: epoch)
            #expect(duplicates == 0)
            #expect(count == attainable)
            counts.append(count)
            let (plainCount, d) = checkBatches(plain, corpus, epoch: epoch)
            #expect(plainCount == full)
            plainDuplicates += d
        }
        print("EpochPlan \(file) B=\(batchSize): \(counts) batches per epoch with distinct texts, drop_last gives \(full) "
              + "(\(unusable) examples unusable); without the option, \(plainDuplicates) repeated texts in batches "
              + "over 3 epochs")
        #expect(plan.batches(epoch: 1) == (try EpochPlan(corpus: corpus, batchSize: batchSize, seed: 42)).batches(epoch: 1))
        #expect(plan.batches(epoch: 0) != plan.batches(epoch: 1))
    }

    @Test func withoutDuplicatesItIsTheShuffledOrderCut() throws {
        let corpus = try MirrorCorpus(lines: (0..<103).map { "t\($0)" }, mode: .sentence, path: "t")
        let a = try EpochPlan(corpus: corpus, batchSize: 10, seed: 5)
        let b = try EpochPlan(corpus: corpus, batchSize: 10, seed: 5, distinctTextsPerBatch: false)
        #expect(a.batches(epoch: 2) == b.batches(epoch: 2))
        #expect(a.batches(epoch: 2).count == 10)
        var rng = a.rng(epoch: 2)
        var order = Array(0..<103)
        rng.shuffle(&order)
        #expect(a.batches(epoch: 2).flatMap { $0 } == Array(order[0..<100]))
    }

    @Test func duplicatesAreDeferredNotDropped() throws {
        // 40 distinct texts, text 0 ten times: 49 examples make 4 batches of 10, which can hold only
        // 4 copies of text 0; the others are left out, and the 4 batches are still all there.
        let lines = (0..<40).map { "text \($0)" } + Array(repeating: "text 0", count: 9)
        let corpus = try MirrorCorpus(lines: lines, mode: .sentence, path: "d")
        let plan = try EpochPlan(corpus: corpus, batchSize: 10, seed: 11)
        for epoch in 0..<20 {
            let (count, duplicates) = checkBatches(plan, corpus, epoch: epoch)
            #expect(duplicates == 0)
            #expect(count == 4)
        }
    }

    @Test(.enabled(if: TestPaths.exists(sentences)))
    func heldOutSlice() throws {
        let corpus = try MirrorCorpus.load(Self.sentences, mode: .sentence)
        let plan = try EpochPlan(corpus: corpus, batchSize: 200, seed: 42, heldOutFraction: 0.01)
        #expect(plan.heldOutIndices.count >= 100 && plan.heldOutIndices.count < 140)
        #expect(plan.heldOutIndices.count + plan.trainingIndices.count == corpus.count)
        let heldTexts = Set(plan.heldOutIndices.map { corpus.example($0).view1.trimmingWhitespace() })
        #expect(plan.trainingIndices.allSatisfy { !heldTexts.contains(corpus.example($0).view1.trimmingWhitespace()) })
        let again = try EpochPlan(corpus: corpus, batchSize: 200, seed: 42, heldOutFraction: 0.01)
        #expect(again.heldOutIndices == plan.heldOutIndices)
        let other = try EpochPlan(corpus: corpus, batchSize: 200, seed: 43, heldOutFraction: 0.01)
        #expect(other.heldOutIndices != plan.heldOutIndices)
        let held = Set(plan.heldOutIndices)
        let (count, duplicates) = checkBatches(plan, corpus, epoch: 0)
        #expect(plan.batches(epoch: 0).allSatisfy { $0.allSatisfy { !held.contains($0) } })
        #expect(duplicates == 0 && count == plan.trainingIndices.count / 200)
        print("EpochPlan held out: \(plan.heldOutIndices.count) examples (\(heldTexts.count) texts), "
              + "\(count) batches of 200 from \(plan.trainingIndices.count)")
    }
}
