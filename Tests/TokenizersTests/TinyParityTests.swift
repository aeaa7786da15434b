// The tiny tokenizers built by the fixture script, covering configuration branches MiniLM does not:
//   tiny-cased:   lowercase false, strip_accents true, no CJK splitting, BertProcessing, prefix
//                 "@@", max_input_chars_per_word 12, added tokens with lstrip+rstrip, single_word
//                 and normalized=true;
//   tiny-uncased: lowercase true, strip_accents false, clean_text false, TemplateProcessing with
//                 type id 1 on [CLS]/[SEP];
//   tiny-vocab:   the vocab.txt fallback with do_lower_case false, strip_accents true,
//                 tokenize_chinese_chars false, mask_token as an object with lstrip, an extra
//                 special token (recorded through transformers).

import Foundation
import Testing
import TestSupport
import Tokenizers

struct TinyParityTests {
    static func file() throws -> TinyParityFile {
        try Fixtures.decode(TinyParityFile.self, "tokenizers/tiny_parity.json")
    }

    @Test(arguments: ["tiny-cased", "tiny-uncased", "tiny-vocab"])
    func parity(name: String) throws {
        let file = try Self.file()
        let cases = try #require(file.sets[name])
        #expect(cases.count >= 40)
        let tokenizer = try TokenizerLoader.load(from: TestPaths.fixture("tokenizers/\(name)"))
        let report = runParity(tokenizer, cases)
        print("\(name) parity: \(report.equal)/\(report.compared) strings equal")
        #expect(report.failures.isEmpty, "\(report.failures.count) mismatches:\n\(report.failures.prefix(15).joined(separator: "\n"))")
    }

    @Test func tinyProperties() throws {
        let cased = try TokenizerLoader.load(from: TestPaths.fixture("tokenizers/tiny-cased"))
        #expect(cased.kind == "WordPiece (BERT normalizer, cased, strip accents, no CJK splitting)")
        #expect(cased.vocabularySize == 319)
        #expect(cased.padTokenId == 0)
        #expect(cased.maskToken == "[MASK]")
        #expect(cased.declaredMaxLength == nil)
        #expect(cased.id(of: "<e>") == 316)
        #expect(cased.token(of: 318) == "Caf\u{E9}")

        let uncased = try TokenizerLoader.load(from: TestPaths.fixture("tokenizers/tiny-uncased"))
        #expect(uncased.kind == "WordPiece (BERT normalizer, lowercase, keep accents, no text cleaning)")

        let vocab = try TokenizerLoader.load(from: TestPaths.fixture("tokenizers/tiny-vocab"))
        #expect(vocab.kind == "WordPiece (BERT normalizer, cased, strip accents, no CJK splitting)")
        #expect(vocab.declaredMaxLength == 64)
        #expect(vocab.id(of: "<e>") == 316)  // the extra special token, after the vocabulary
        #expect(vocab.vocabularySize == 317)
    }
}
