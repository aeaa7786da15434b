// `mirror-bert train` end to end on RoBERTa, XLM-R and MPNet folders: the committed tiny random
// models of each family given a real tokenizer of their kind (byte-level BPE, Unigram, MPNet
// WordPiece). Each trains, masks spans with its own mask token (or the one --mask-token names),
// writes a folder that loads as the same family, and moves the weights.

import Foundation
import Models
import Testing
import TestSupport
import Tokenizers

private let mpnetModel = TestPaths.root.appendingPathComponent("models/all-mpnet-base-v2")

private let corpus = (0..<24).map { i in
    "sentence \(i) about topic \(i % 5): a woman plays the \(["cello", "flute", "harp"][i % 3]) by the river"
}

@Suite struct FamilyTrainTests {
    @Test(arguments: [("tiny-roberta", "roberta-bpe", ModelFamily.roberta), ("tiny-xlm-roberta", "xlmr-spm", .xlmRoberta)])
    func trainsWithItsOwnMaskToken(_ fixture: String, _ tokenizer: String, _ family: ModelFamily) throws {
        try trainEndToEnd(fixture, tokenizer: TestPaths.fixture("tokenizers/\(tokenizer)"), family: family)
    }

    @Test(.enabled(if: TestPaths.exists(mpnetModel), "run Scripts/setup.sh --model mpnet to fetch all-mpnet-base-v2"))
    func mpnetTrainsWithItsOwnMaskToken() throws {
        try trainEndToEnd("tiny-mpnet", tokenizer: mpnetModel, family: .mpnet)
    }

    /// Trains the tiny `fixture` model with the tokenizer of folder `tokenizer` (its embedding
    /// table sized to that vocabulary), once with the default mask token and once with --mask-token.
    func trainEndToEnd(_ fixture: String, tokenizer: URL, family: ModelFamily) throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        let model = tmp.file("model")
        try TinyModelFactory.withVocabulary(TestPaths.fixture("bert/\(fixture)"), at: model, tokenizerFrom: tokenizer,
                                            vocabSize: try TokenizerLoader.load(from: tokenizer).vocabularySize)
        let input = tmp.file("corpus.txt")
        try Data((corpus.joined(separator: "\n") + "\n").utf8).write(to: input)

        let out = tmp.file("trained")
        let r = try MirrorBERTExecutable.run(["train", "--model", model.path, "--corpus", input.path, "--output", out.path,
                                              "--batch-size", "8", "--max-length", "24"])
        #expect(r.status == 0, "\(r)")
        #expect(r.stderr.contains("3 steps of 8 × 2 views"), "\(r.stderr)")
        #expect(r.stderr.contains("span mask 5 → <mask>"), "\(r.stderr)")
        let before = try Checkpoint.load(model), after = try Checkpoint.load(out)
        #expect(after.config.family == family)
        #expect(after.tokenizer.maskToken == "<mask>")
        #expect(before.encoder.parameters.array != after.encoder.parameters.array)
        #expect(after.encoder.parameters.array.allSatisfy { $0.isFinite })

        let literal = try MirrorBERTExecutable.run(["train", "--model", model.path, "--corpus", input.path,
                                                    "--output", tmp.file("literal").path, "--batch-size", "8",
                                                    "--max-length", "24", "--mask-token", "[MASK]"])
        #expect(literal.status == 0, "\(literal)")
        #expect(literal.stderr.contains("span mask 5 → [MASK]"), "\(literal.stderr)")
    }
}
