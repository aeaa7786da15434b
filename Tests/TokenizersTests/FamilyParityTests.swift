// The other tokenizer families against ids recorded from `tokenizers` 0.23.3 / transformers 5.24.0
// (Scripts/reference/record_family_tokenizer_fixtures.py → Tests/Fixtures/tokenizers/family_parity.json):
//   roberta-bpe   byte-level BPE + RobertaProcessing + <mask> lstrip; also its "a b" merges copy and
//                 the vocab.json + merges.txt fallback (against transformers' RobertaTokenizer);
//   bpe-suffix    BPE with "##" / "</w>", fused unknowns, NFKC+Lowercase+Strip, Split("-");
//   bpe-fallback  BPE byte_fallback (partial), unfused unknowns, ignore_merges, Metaspace "first";
//   xlmr-spm      SentencePiece Unigram with the real nmt_nfkc Precompiled charsmap, as transformers
//                 5 converts XLM-R (WhitespaceSplit + Metaspace);
//   xlmr-hub      the same model shaped like the hub's xlm-roberta tokenizer.json (Precompiled +
//                 Replace " {2,}", Metaspace);
//   unigram-nfkc  Unigram from `tokenizers` with Nmt+NFKC+Replace+Lowercase, Metaspace "first",
//                 byte_fallback pieces.

import Foundation
import Testing
import TestSupport
@testable import Tokenizers

/// family_parity.json / mpnet_parity.json: texts stored once, one row per text per tokenizer.
struct FamilyParityFile: Decodable {
    struct Row: Decodable {
        let ids: [Int32]
        let tokens: [String]?
        let type_ids: [Int32]?
        let truncated: [String: [Int32]]
        let fallback: ParityCase.Alternative?
    }

    let max_lengths: [Int]
    let texts: [String]
    let edge_count: Int
    let sets: [String: [Row]]

    func cases(_ name: String) -> [ParityCase]? {
        sets[name].map { rows in
            zip(texts, rows).map { text, r in
                ParityCase(text: text, ids: r.ids, tokens: r.tokens, type_ids: r.type_ids, truncated: r.truncated,
                           fallback: r.fallback)
            }
        }
    }

    static func load(_ name: String = "family_parity.json") throws -> FamilyParityFile {
        try Fixtures.decode(FamilyParityFile.self, "tokenizers/\(name)")
    }
}

/// The fixture folder `name`, ready to load: xlmr-hub's charsmap placeholder is filled in from
/// xlmr-spm (stored once to keep the fixtures small) in a temporary copy.
func familyFolder(_ name: String) throws -> (url: URL, cleanup: () -> Void) {
    let source = TestPaths.fixture("tokenizers/\(name)")
    guard name == "xlmr-hub" else { return (source, {}) }
    let spm = try String(contentsOf: TestPaths.fixture("tokenizers/xlmr-spm/tokenizer.json"), encoding: .utf8)
    let marker = "\"precompiled_charsmap\": \""
    guard let start = spm.range(of: marker)?.upperBound, let end = spm[start...].firstIndex(of: "\"") else {
        throw CancellationError()
    }
    let hub = try String(contentsOf: source.appendingPathComponent("tokenizer.json"), encoding: .utf8)
        .replacingOccurrences(of: "\"@xlmr-spm\"", with: "\"\(spm[start..<end])\"")
    let dir = try temporaryFolder(["tokenizer.json": hub])
    return (dir, { try? FileManager.default.removeItem(at: dir) })
}

struct FamilyParityTests {
    static let names = ["roberta-bpe", "bpe-suffix", "bpe-fallback", "xlmr-spm", "xlmr-hub", "unigram-nfkc"]

    @Test(arguments: names)
    func parity(name: String) throws {
        let file = try FamilyParityFile.load()
        let cases = try #require(file.cases(name))
        #expect(cases.count >= 200 && file.edge_count >= 200)
        #expect(file.max_lengths == [2, 3, 8, 50])
        let (folder, cleanup) = try familyFolder(name)
        defer { cleanup() }
        let tokenizer = try TokenizerLoader.load(from: folder)
        let report = runParity(tokenizer, cases, maxLengths: file.max_lengths)
        print("\(name) parity: \(report.equal)/\(report.compared) strings equal (ids, tokens, type ids, 4 max lengths)")
        #expect(report.compared == file.texts.count)
        #expect(report.failures.isEmpty, "\(report.failures.count) mismatches:\n\(report.failures.prefix(15).joined(separator: "\n"))")
    }

    @Test func robertaLegacyMergesFormat() throws {
        let file = try FamilyParityFile.load()
        let cases = try #require(file.cases("roberta-bpe"))
        let tokenizer = try TokenizerLoader.load(tokenizerJSON: TestPaths.fixture("tokenizers/roberta-bpe/tokenizer.legacy-merges.json"))
        let report = runParity(tokenizer, cases, maxLengths: file.max_lengths)
        print("roberta-bpe (\"a b\" merges) parity: \(report.equal)/\(report.compared)")
        #expect(report.failures.isEmpty, "\(report.failures.prefix(10).joined(separator: "\n"))")
    }

    @Test func robertaVocabJSONFallbackMatchesTransformers() throws {
        let file = try FamilyParityFile.load()
        let cases = try #require(file.cases("roberta-bpe"))
        let dir = try temporaryCopy(of: TestPaths.fixture("tokenizers/roberta-bpe"),
                                    files: ["vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let tokenizer = try TokenizerLoader.load(from: dir)
        let report = runParity(tokenizer, cases, useFallback: true, checkTokens: false, maxLengths: file.max_lengths)
        print("roberta-bpe vocab.json + merges.txt fallback parity: \(report.equal)/\(report.compared)")
        #expect(report.failures.isEmpty, "\(report.failures.prefix(10).joined(separator: "\n"))")
        #expect(tokenizer.kind == "byte-level BPE (RoBERTa)")
        #expect(tokenizer.declaredMaxLength == 64)
        #expect(tokenizer.maskToken == "<mask>" && tokenizer.padTokenId == 1)
    }

    @Test func properties() throws {
        let roberta = try TokenizerLoader.load(from: TestPaths.fixture("tokenizers/roberta-bpe"))
        #expect(roberta.kind == "byte-level BPE (RoBERTa)")
        #expect(roberta.maskToken == "<mask>")
        #expect(roberta.padTokenId == 1)
        #expect(roberta.unknownToken == "<unk>")  // a special added token; the BPE model itself has none
        #expect(roberta.specialTokenCount == 2)
        #expect(roberta.id(of: "<mask>") == Int32(roberta.vocabularySize - 1))
        let e = roberta.encode("a <mask> b")
        #expect(e.ids.first == 0 && e.ids.last == 2 && e.ids.contains(roberta.id(of: "<mask>")!))
        #expect(e.tokens == ["<s>", "a", " <mask>", "\u{120}b", "</s>"])

        for name in ["xlmr-spm", "xlmr-hub", "unigram-nfkc"] {
            let (folder, cleanup) = try familyFolder(name)
            defer { cleanup() }
            let t = try TokenizerLoader.load(from: folder)
            #expect(t.kind == "Unigram (SentencePiece)", "\(name)")
            #expect(t.maskToken == "<mask>" && t.padTokenId == 1 && t.unknownToken == "<unk>", "\(name)")
            #expect(t.specialTokenCount == 2, "\(name)")
            #expect(t.encode("").ids == [0, 2], "\(name)")
        }
        let spm = try TokenizerLoader.load(from: TestPaths.fixture("tokenizers/xlmr-spm"))
        #expect(spm.vocabularySize == 1002 && spm.id(of: "<mask>") == 1001)  // <mask> appended after the pieces

        let suffix = try TokenizerLoader.load(from: TestPaths.fixture("tokenizers/bpe-suffix"))
        #expect(suffix.kind == "BPE (NFKC, lowercase, strip)")
        #expect(suffix.maskToken == "<mask>" && suffix.padTokenId == 1 && suffix.unknownToken == "<unk>")
    }

    /// The tokenizer is shared across threads (its BPE word cache is locked); results must not change.
    @Test func concurrentEncodingMatchesSerial() throws {
        let file = try FamilyParityFile.load()
        let tokenizer = try TokenizerLoader.load(from: TestPaths.fixture("tokenizers/roberta-bpe"))
        let texts = file.texts
        let serial = texts.map { tokenizer.encode($0, maxLength: 50) }
        final class Results: @unchecked Sendable { var rows: [Encoding?] = [] }
        let results = Results()
        results.rows = [Encoding?](repeating: nil, count: texts.count)
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: texts.count) { i in
            let e = tokenizer.encode(texts[i], maxLength: 50)
            lock.lock(); results.rows[i] = e; lock.unlock()
        }
        #expect(results.rows == serial.map { Optional($0) })
    }
}
