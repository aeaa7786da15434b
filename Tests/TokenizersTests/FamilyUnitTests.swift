// Stage-level behaviour of the family components on hand-made inputs.

import Foundation
import Testing
import TestSupport
@testable import Tokenizers

private func scalars(_ s: String) -> [Unicode.Scalar] { Array(s.unicodeScalars) }
private func string<C: Collection>(_ c: C) -> String where C.Element == Unicode.Scalar {
    var v = String.UnicodeScalarView()
    v.append(contentsOf: c)
    return String(v)
}

private func words(_ p: any PreTokenizer, _ s: String, startsText: Bool = true) -> [String] {
    var w = PreTokenizedWords()
    p.preTokenize(scalars(s)[...], startsText: startsText, into: &w)
    return (0..<w.count).map { string(w[$0]) }
}

struct FamilyUnitTests {
    @Test func gpt2Split() {
        func split(_ s: String) -> [String] {
            let text = scalars(s)
            var ranges: [Range<Int>] = []
            GPT2Split.split(text[...], into: &ranges)
            return ranges.map { string(text[$0]) }
        }
        #expect(split("Hello world") == ["Hello", " world"])
        #expect(split("I'll don't 'RE") == ["I", "'ll", " don", "'t", " '", "RE"])
        #expect(split("a   b") == ["a", "  ", " b"])
        #expect(split("a\t\tb") == ["a", "\t", "\t", "b"])
        #expect(split("x  ") == ["x", "  "])
        #expect(split("abc123 45!? ?") == ["abc", "123", " 45", "!?", " ?"])
        #expect(split(" \u{A0}x") == [" ", "\u{A0}", "x"])
        #expect(split("\u{4F60}\u{597D}\u{FF01}") == ["\u{4F60}\u{597D}", "\u{FF01}"])
        #expect(split("") == [])
    }

    @Test func byteLevelPreTokenizer() {
        #expect(words(ByteLevelPreTokenizer(addPrefixSpace: false, useRegex: true), "Hi there") == ["Hi", "\u{120}there"])
        #expect(words(ByteLevelPreTokenizer(addPrefixSpace: true, useRegex: true), "Hi") == ["\u{120}Hi"])
        #expect(words(ByteLevelPreTokenizer(addPrefixSpace: true, useRegex: true), " Hi") == ["\u{120}Hi"])
        #expect(words(ByteLevelPreTokenizer(addPrefixSpace: false, useRegex: false), "\u{E9} a\n") == ["\u{C3}\u{A9}\u{120}a\u{10A}"])
        #expect(ByteLevelAlphabet.scalars[0] == "\u{100}" && ByteLevelAlphabet.scalars[0x20] == "\u{120}"
                && ByteLevelAlphabet.scalars[0xAD] == "\u{143}" && Set(ByteLevelAlphabet.scalars).count == 256)
    }

    @Test func metaspace() {
        #expect(words(Metaspace(), "Hey  you") == ["\u{2581}Hey", "\u{2581}", "\u{2581}you"])
        #expect(words(Metaspace(), "\u{2581}x") == ["\u{2581}x"])
        #expect(words(Metaspace(prependScheme: .first), "x y", startsText: false) == ["x", "\u{2581}y"])
        #expect(words(Metaspace(prependScheme: .first), "x y", startsText: true) == ["\u{2581}x", "\u{2581}y"])
        #expect(words(Metaspace(prependScheme: .never, split: false), "a b\tc") == ["a\u{2581}b\tc"])
        let seq = SequencePreTokenizer([WhitespaceSplit(), Metaspace(prependScheme: .first)])
        #expect(words(seq, "a  b") == ["\u{2581}a", "b"])  // only the first word begins the text
    }

    @Test func splitBehaviours() {
        func split(_ behavior: SplitPreTokenizer.Behavior, invert: Bool = false) -> [String] {
            words(SplitPreTokenizer(pattern: .literal(scalars("-")), behavior: behavior, invert: invert), "a-b--c-")
        }
        #expect(split(.removed) == ["a", "b", "c"])
        #expect(split(.isolated) == ["a", "-", "b", "-", "-", "c", "-"])
        #expect(split(.mergedWithPrevious) == ["a-", "b-", "-", "c-"])
        #expect(split(.mergedWithNext) == ["a", "-b", "-", "-c", "-"])
        #expect(split(.contiguous) == ["a", "-", "b", "--", "c", "-"])
        #expect(split(.removed, invert: true) == ["-", "-", "-", "-"])
    }

    @Test func bpeMergesByRank() throws {
        // "abc": (b, c) has the better rank, so bc forms first and (a, b) never applies.
        let vocab: [(String, Int32)] = [("<unk>", 0), ("a", 1), ("b", 2), ("c", 3), ("ab", 4), ("bc", 5), ("abc", 6), ("a##", 7)]
        let bpe = try BPE(vocabulary: vocab, merges: [("b", "c"), ("a", "b"), ("a", "bc")], unknownToken: "<unk>",
                          continuingSubwordPrefix: nil, endOfWordSuffix: nil, fuseUnknown: true, byteFallback: false,
                          ignoreMerges: false)
        func ids(_ s: String) -> [Int32] {
            var out: [Int32] = []
            bpe.tokenize(scalars(s)[...], into: &out)
            return out
        }
        #expect(ids("abc") == [6])
        #expect(ids("ab") == [4])
        #expect(ids("abab") == [4, 4])
        #expect(ids("xxa") == [0, 1])      // unknowns fused
        #expect(ids("xax") == [0, 1, 0])
        #expect(ids("") == [])
        #expect(ids("abc") == [6])         // from the cache
        #expect(throws: BPE.BuildError.self) {
            try BPE(vocabulary: vocab, merges: [("c", "a")], unknownToken: nil, continuingSubwordPrefix: nil,
                    endOfWordSuffix: nil, fuseUnknown: false, byteFallback: false, ignoreMerges: false)
        }
    }

    @Test func unigramViterbi() {
        // HF's own example (models/unigram/model.rs): "abcdacdxx" → abcd, a, cd, xx (unknowns fused).
        let pieces: [(String, Double)] = [("<unk>", 0), ("a", 0), ("b", 0), ("c", 0), ("d", 0), ("cd", 1), ("ab", 2),
                                          ("abc", 5), ("abcd", 10)]
        let model = Unigram(pieces: pieces, unknownId: 0, byteFallback: false)
        var ids: [Int32] = [], tokens: [String] = []
        model.tokenize(scalars("abcdacdxx")[...], into: &ids, tokens: &tokens)
        #expect(ids == [8, 1, 5, 0])
        #expect(tokens == ["abcd", "a", "cd", "xx"])
    }

    @Test func replacePatterns() {
        func apply(_ r: Replace?, _ s: String) -> String? {
            guard let r else { return nil }
            var out: [Unicode.Scalar] = []
            r.normalize(scalars(s)[...], into: &out)
            return string(out)
        }
        #expect(apply(Replace(regex: " {2,}", content: " "), "a  b   c d") == "a b c d")
        #expect(apply(Replace(regex: " {2,}", content: "\u{2581}"), "  ") == "\u{2581}")
        #expect(apply(Replace(regex: "\\s+", content: "_"), "a \t\nb") == "a_b")
        #expect(apply(Replace(regex: "x{2}", content: "y"), "xxxxx") == "yyx")
        #expect(apply(Replace(literal: "''", content: "\""), "it''s '''") == "it\"s \"'")
        #expect(Replace(regex: "(a|b)", content: "") == nil)
        #expect(Replace(regex: "\\d+", content: "") == nil)
        #expect(Replace(regex: "a*", content: "") == nil)
    }

    @Test func unicodeFormsFollowUnicode9() {
        func apply(_ form: HFUnicodeNormalization.Form, _ s: String) -> String {
            var out: [Unicode.Scalar] = []
            HFUnicodeNormalization.append(form, scalars(s)[...], to: &out)
            return string(out)
        }
        #expect(apply(.nfkc, "\u{FB01}\u{2460}e\u{301}") == "fi1\u{E9}")
        #expect(apply(.nfd, "\u{E9}") == "e\u{301}")
        // U+11938 = U+11935 U+11930 since Unicode 13: neither composed nor decomposed by HF.
        #expect(apply(.nfc, "\u{11935}\u{11930}") == "\u{11935}\u{11930}")
        #expect(apply(.nfkd, "\u{11938}") == "\u{11938}")
    }
}
