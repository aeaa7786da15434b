// all-MiniLM-L6-v2 through both loading paths against ids recorded from `tokenizers` 0.23.3 and
// transformers 5.24.0 (Tests/Fixtures/tokenizers/minilm_parity.json).

import Foundation
import Testing
import TestSupport
import Tokenizers

private let miniLMPresent = TestPaths.exists(TestPaths.miniLM.appendingPathComponent("tokenizer.json"))

@Suite("all-MiniLM-L6-v2 parity", .enabled(if: miniLMPresent, "models/all-MiniLM-L6-v2 is absent"))
struct MiniLMParityTests {
    @Test func fixtureIsLargeEnough() throws {
        let file = try Fixtures.decode(MiniLMParityFile.self, "tokenizers/minilm_parity.json")
        #expect(file.cases.count >= 200)
        #expect(file.max_lengths.contains(2) && file.max_lengths.contains(3) && file.max_lengths.contains(8)
                && file.max_lengths.contains(50))
    }

    @Test func tokenizerJSONMatchesTokenizers() throws {
        let file = try Fixtures.decode(MiniLMParityFile.self, "tokenizers/minilm_parity.json")
        let tokenizer = try TokenizerLoader.load(from: TestPaths.miniLM)
        let report = runParity(tokenizer, file.cases)
        print("MiniLM tokenizer.json parity: \(report.equal)/\(report.compared) strings equal (ids, tokens, 4 max lengths)")
        #expect(report.compared == file.cases.count)
        #expect(report.failures.isEmpty, "\(report.failures.count) mismatches:\n\(report.failures.prefix(15).joined(separator: "\n"))")
    }

    @Test func vocabTxtFallbackMatchesTransformers() throws {
        let file = try Fixtures.decode(MiniLMParityFile.self, "tokenizers/minilm_parity.json")
        let dir = try temporaryCopy(of: TestPaths.miniLM,
                                    files: ["vocab.txt", "tokenizer_config.json", "special_tokens_map.json"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let tokenizer = try TokenizerLoader.load(from: dir)
        let report = runParity(tokenizer, file.cases, useFallback: true)
        print("MiniLM vocab.txt fallback parity: \(report.equal)/\(report.compared) strings equal")
        #expect(report.failures.isEmpty, "\(report.failures.count) mismatches:\n\(report.failures.prefix(15).joined(separator: "\n"))")
    }

    @Test func publicProperties() throws {
        for dir in [TestPaths.miniLM] {
            let t = try TokenizerLoader.load(from: dir)
            #expect(t.vocabularySize == 30522)
            #expect(t.padTokenId == 0)
            #expect(t.maskToken == "[MASK]")
            #expect(t.unknownToken == "[UNK]")
            #expect(t.kind == "WordPiece (BERT normalizer, lowercase)")
            #expect(t.specialTokenCount == 2)
            #expect(t.declaredMaxLength == 128)
            #expect(t.id(of: "[MASK]") == 103)
            #expect(t.id(of: "[CLS]") == 101)
            #expect(t.id(of: "hello") == 7592)
            #expect(t.id(of: "##ing") == 2075)
            #expect(t.id(of: "not a token") == nil)
            #expect(t.token(of: 101) == "[CLS]")
            #expect(t.token(of: 7592) == "hello")
            #expect(t.token(of: 30522) == nil)
            #expect(t.token(of: -1) == nil)
        }
    }

    @Test func fallbackPublicProperties() throws {
        let dir = try temporaryCopy(of: TestPaths.miniLM,
                                    files: ["vocab.txt", "tokenizer_config.json", "special_tokens_map.json"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let t = try TokenizerLoader.load(from: dir)
        #expect(t.vocabularySize == 30522)
        #expect(t.padTokenId == 0)
        #expect(t.maskToken == "[MASK]")
        #expect(t.kind == "WordPiece (BERT normalizer, lowercase)")
        #expect(t.declaredMaxLength == 512)
    }

    /// The tokenizer is shared across threads (Sendable); results must not depend on that.
    @Test func concurrentEncodingMatchesSerial() throws {
        let file = try Fixtures.decode(MiniLMParityFile.self, "tokenizers/minilm_parity.json")
        let tokenizer = try TokenizerLoader.load(from: TestPaths.miniLM)
        let texts = file.cases.map(\.text)
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

    @Test func encodeHonoursMaxLength() throws {
        let t = try TokenizerLoader.load(from: TestPaths.miniLM)
        let text = "The quick brown fox jumps over the lazy dog"
        let full = t.encode(text)
        #expect(full.ids.first == 101 && full.ids.last == 102)
        for m in 2...(full.count + 2) {
            let e = t.encode(text, maxLength: m)
            #expect(e.count == min(m, full.count))
            #expect(e.ids.last == 102)
            #expect(Array(e.ids.dropLast()) == Array(full.ids.prefix(e.count - 1)))
            #expect(e.tokens.count == e.count && e.typeIds == [Int32](repeating: 0, count: e.count))
        }
    }
}
