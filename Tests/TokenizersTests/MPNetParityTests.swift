// The real all-mpnet-base-v2 tokenizer (Scripts/setup.sh --model mpnet) against ids recorded from
// `tokenizers` 0.23.3 (Tests/Fixtures/tokenizers/mpnet_parity.json): WordPiece with the BERT
// normalizer, RoBERTa-style <s> … </s>, <pad> id 1, <mask> with lstrip.

import Foundation
import Testing
import TestSupport
import Tokenizers

private let mpnet = TestPaths.root.appendingPathComponent("models/all-mpnet-base-v2")
private let mpnetPresent = TestPaths.exists(mpnet.appendingPathComponent("tokenizer.json"))

@Suite("all-mpnet-base-v2 parity", .enabled(if: mpnetPresent, "models/all-mpnet-base-v2 is absent (Scripts/setup.sh --model mpnet)"))
struct MPNetParityTests {
    @Test func tokenizerJSONMatchesTokenizers() throws {
        let file = try FamilyParityFile.load("mpnet_parity.json")
        let cases = try #require(file.cases("all-mpnet-base-v2"))
        #expect(cases.count >= 200)
        let tokenizer = try TokenizerLoader.load(from: mpnet)
        let report = runParity(tokenizer, cases, maxLengths: file.max_lengths)
        print("all-mpnet-base-v2 parity: \(report.equal)/\(report.compared) strings equal (ids, tokens, 4 max lengths)")
        #expect(report.failures.isEmpty, "\(report.failures.count) mismatches:\n\(report.failures.prefix(15).joined(separator: "\n"))")
    }

    /// The folder without tokenizer.json: vocab.txt + tokenizer_config.json + special_tokens_map.json,
    /// against transformers' MPNetTokenizer.
    @Test func vocabTxtFallbackMatchesTransformers() throws {
        let file = try FamilyParityFile.load("mpnet_parity.json")
        let cases = try #require(file.cases("all-mpnet-base-v2"))
        let dir = try temporaryCopy(of: mpnet, files: ["vocab.txt", "tokenizer_config.json", "special_tokens_map.json"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let tokenizer = try TokenizerLoader.load(from: dir)
        let report = runParity(tokenizer, cases, useFallback: true, checkTokens: false, maxLengths: file.max_lengths)
        print("all-mpnet-base-v2 vocab.txt fallback parity: \(report.equal)/\(report.compared)")
        #expect(report.failures.isEmpty, "\(report.failures.prefix(10).joined(separator: "\n"))")
        #expect(tokenizer.kind == "WordPiece (MPNet)")
        #expect(tokenizer.padTokenId == 1 && tokenizer.maskToken == "<mask>" && tokenizer.declaredMaxLength == 512)
        #expect(tokenizer.vocabularySize == 30527)
    }

    @Test func publicProperties() throws {
        let t = try TokenizerLoader.load(from: mpnet)
        #expect(t.kind == "WordPiece (MPNet)")
        #expect(t.vocabularySize == 30527)
        #expect(t.padTokenId == 1)
        #expect(t.maskToken == "<mask>")
        #expect(t.unknownToken == "[UNK]")
        #expect(t.specialTokenCount == 2)
        #expect(t.declaredMaxLength == 128)
        #expect(t.id(of: "<mask>") == 30526 && t.id(of: "<s>") == 0 && t.id(of: "</s>") == 2)
        // Recorded with tokenizers 0.23.3; lstrip makes the space before <mask> part of it.
        #expect(t.encode("a <mask> b").ids == [0, 1041, 30526, 1042, 2])
        #expect(t.encode("a<mask>b").ids == [0, 1041, 30526, 1042, 2])
        // tokenizer.json alone (no side files): the padding section and the special <mask> still decide.
        let alone = try TokenizerLoader.load(tokenizerJSON: mpnet.appendingPathComponent("tokenizer.json"))
        #expect(alone.padTokenId == 1 && alone.maskToken == "<mask>")
    }
}
