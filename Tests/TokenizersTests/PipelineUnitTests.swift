// Stage-level behaviour on hand-made inputs: WordPiece, the BERT pre-tokenizer and normalizer,
// added-token matching, and scalar-exact vocabulary lookups.

import Foundation
import Testing
import TestSupport
@testable import Tokenizers

private func scalars(_ s: String) -> [Unicode.Scalar] { Array(s.unicodeScalars) }

struct PipelineUnitTests {
    let wordPiece = WordPiece(vocabulary: [("[UNK]", 0), ("un", 1), ("##aff", 2), ("##able", 3), ("##a", 4),
                                           ("a", 5), ("##", 6), ("aff", 7)],
                              unknownToken: "[UNK]", continuingSubwordPrefix: "##", maxInputCharsPerWord: 8)!

    func pieces(_ word: String) -> [Int32] {
        var ids: [Int32] = []
        wordPiece.tokenize(scalars(word)[...], into: &ids)
        return ids
    }

    @Test func wordPieceGreedyLongestMatch() {
        #expect(pieces("unaffable") == [0])           // 9 scalars > 8
        #expect(pieces("unaffabl") == [0])            // "##b" is missing: whole word unknown
        #expect(pieces("unaff") == [1, 2])
        #expect(pieces("affa") == [7, 4])
        #expect(pieces("a") == [5])
        #expect(pieces("") == [])
        #expect(pieces("x") == [0])
    }

    @Test func wordPieceCountsScalars() {
        // 8 scalars (e + U+0301 four times): within the limit, but no such pieces.
        #expect(pieces(String(repeating: "e\u{301}", count: 4)) == [0])
    }

    @Test func bertPreTokenizer() {
        let text = scalars("Hi,  there!\u{3000}\u{166D}x\u{2E43}y a_b")
        var words: [Range<Int>] = []
        BertPreTokenizer().split(text, range: 0..<text.count, into: &words)
        let strings = words.map { String(String.UnicodeScalarView(text[$0])) }
        #expect(strings == ["Hi", ",", "there", "!", "\u{166D}", "x\u{2E43}y", "a", "_", "b"])
    }

    @Test func bertNormalizer() {
        func normalize(_ s: String, _ n: BertNormalizer = BertNormalizer()) -> String {
            var out: [Unicode.Scalar] = []
            n.normalize(scalars(s)[...], into: &out)
            return String(String.UnicodeScalarView(out))
        }
        #expect(normalize("H\u{E9}llo\tW\u{F6}rld\u{0}\u{200B}") == "hello world")
        #expect(normalize("\u{4F60}\u{597D}") == " \u{4F60}  \u{597D} ")
        #expect(normalize("\u{130}") == "i")  // İ → i + U+0307, the dot stripped as Mn
        #expect(normalize("\u{130}", BertNormalizer(stripAccents: false)) == "i\u{307}")
        #expect(normalize("\u{3A3}\u{391}\u{3A3}") == "\u{3C3}\u{3B1}\u{3C3}")  // no final sigma
        #expect(normalize("Caf\u{E9}", BertNormalizer(lowercase: false)) == "Caf\u{E9}")  // nil follows lowercase
        #expect(normalize("\u{B}x\u{C}\u{85}", BertNormalizer()) == "x")  // Cc, not whitespace, for clean_text
    }

    @Test func addedTokenFlags() {
        let tokens = [
            AddedToken(id: 10, content: "<m>", singleWord: true, lstrip: true, rstrip: true, normalized: false, special: false),
            AddedToken(id: 11, content: "<mm>", normalized: false, special: true),
        ]
        let matcher = AddedTokenMatcher(tokens: tokens, patterns: tokens.map { scalars($0.content) })
        func split(_ s: String) -> [String] {
            let text = scalars(s)
            var segments: [AddedTokenSegment] = []
            matcher.split(text, range: 0..<text.count, into: &segments)
            return segments.map {
                switch $0 {
                case let .text(r): return "T(\(String(String.UnicodeScalarView(text[r]))))"
                case let .token(i, r): return "\(matcher.tokens[i].id)(\(String(String.UnicodeScalarView(text[r]))))"
                }
            }
        }
        #expect(split("a <m> b") == ["T(a)", "10( <m> )", "T(b)"])
        #expect(split("a<m> b") == ["T(a<m> b)"])           // single_word: letter before
        #expect(split("<mm><m>") == ["11(<mm>)", "10(<m>)"])  // longest first, then ( is not a word char
        #expect(split("x\t<m>\u{2000}<m>") == ["T(x)", "10(\t<m>\u{2000})", "10(<m>)"])
        #expect(split("") == ["T()"])
    }

    /// Vocabulary lookups compare scalars: precomposed and decomposed forms are different tokens.
    @Test func scalarExactVocabulary() throws {
        let dir = try temporaryFolder(["tokenizer.json": #"""
            {"version": "1.0", "added_tokens": [], "normalizer": null, "pre_tokenizer": {"type": "BertPreTokenizer"},
             "post_processor": null, "decoder": null,
             "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                       "max_input_chars_per_word": 100,
                       "vocab": {"[UNK]": 0, "[PAD]": 1, "[MASK]": 2, "\u00e9": 3, "e\u0301": 4, "caf": 5, "##\u00e9": 6, "##e\u0301": 7}}}
            """#])
        defer { try? FileManager.default.removeItem(at: dir) }
        let t = try TokenizerLoader.load(from: dir)
        #expect(t.id(of: "\u{E9}") == 3)
        #expect(t.id(of: "e\u{301}") == 4)
        #expect(t.token(of: 4).map { Array($0.unicodeScalars) } == Array("e\u{301}".unicodeScalars))
        #expect(t.encode("caf\u{E9} cafe\u{301}").ids == [5, 6, 5, 7])  // no post-processor: no specials
        #expect(t.specialTokenCount == 0)
        #expect(t.kind == "WordPiece")
    }
}
