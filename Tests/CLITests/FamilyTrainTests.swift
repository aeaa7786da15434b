// `mirror-bert train` end to end on RoBERTa, XLM-R and MPNet folders: the committed tiny random
// models of each family given a real tokenizer of their kind (byte-level BPE, Unigram, MPNet
// WordPiece). Each trains, masks spans with its own mask token (or the one --mask-token names),
// writes a folder that loads as the same family, and moves the weights.

import Foundation
import Models
import Testing
import TestSupport

private let mpnetModel = TestPaths.root.appendingPathComponent("models/all-mpnet-base-v2")

/// (family fixture, tokenizer folder, its vocabulary size, model_type the output must keep)
private let families: [(String, URL, Int, String)] = [
    ("tiny-roberta", TestPaths.fixture("tokenizers/roberta-bpe"), 901, "roberta"),
    ("tiny-xlm-roberta", TestPaths.fixture("tokenizers/xlmr-spm"), 1002, "xlm-roberta"),
    ("tiny-mpnet", mpnetModel, 30527, "mpnet"),
]

private let corpus = (0..<24).map { i in
    "sentence \(i) about topic \(i % 5): a woman plays the \(["cello", "flute", "harp"][i % 3]) by the river"
}

@Suite struct FamilyTrainTests {
    @Test(arguments: families.map(\.0))
    func trainsWithItsOwnMaskToken(_ fixture: String) throws {
        let (_, tokenizer, vocabSize, modelType) = families.first { $0.0 == fixture }!
        guard TestPaths.exists(tokenizer) else {
            print("skipped \(fixture): run Scripts/setup.sh --model mpnet to fetch all-mpnet-base-v2")
            return
        }
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        let model = tmp.file("model")
        try TinyModelFactory.withVocabulary(TestPaths.fixture("bert/\(fixture)"), at: model, tokenizerFrom: tokenizer,
                                            vocabSize: vocabSize)
        let input = tmp.file("corpus.txt")
        try Data((corpus.joined(separator: "\n") + "\n").utf8).write(to: input)

        let out = tmp.file("trained")
        let r = try MirrorBERTExecutable.run(["train", "--model", model.path, "--corpus", input.path, "--output", out.path,
                                              "--batch-size", "8", "--max-length", "24"])
        #expect(r.status == 0, "\(r)")
        #expect(r.stderr.contains("3 steps of 8 × 2 views"), "\(r.stderr)")
        #expect(r.stderr.contains("span mask 5 → <mask>"), "\(r.stderr)")
        let before = try Checkpoint.load(model), after = try Checkpoint.load(out)
        #expect(after.config.family.rawValue == modelType)
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
