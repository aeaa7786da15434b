// Every Unicode scalar against per-code-point tables probed from the Python package
// (Tests/Fixtures/tokenizers/unicode_classes.json): what clean_text removes or turns into a
// space, CJK padding, pre-tokenizer whitespace and punctuation, accent stripping, lowercase and
// NFD. These pin the Unicode-version subtleties (HF categories are Unicode 8.0, its NFD 9.0).

import Foundation
import Testing
import TestSupport
@testable import Tokenizers

private struct UnicodeClassesFile: Decodable {
    let clean_removed: [[UInt32]]
    let clean_to_space: [[UInt32]]
    let chinese: [[UInt32]]
    let pretokenizer_whitespace: [[UInt32]]
    let pretokenizer_punctuation: [[UInt32]]
    let strip_removed: [[UInt32]]
    let word_characters: [[UInt32]]
    let lowercase: [String: String]
    let nfd: [String: String]
}

/// Membership in a list of inclusive ranges, as a dense bitmap over all code points.
private func bitmap(_ ranges: [[UInt32]]) -> [Bool] {
    var bits = [Bool](repeating: false, count: 0x110000)
    for r in ranges { for v in r[0]...r[1] { bits[Int(v)] = true } }
    return bits
}

private func scalarMap(_ map: [String: String]) -> [UInt32: [Unicode.Scalar]] {
    var out: [UInt32: [Unicode.Scalar]] = [:]
    for (k, v) in map { out[UInt32(k)!] = Array(v.unicodeScalars) }
    return out
}

private func allScalars() -> [Unicode.Scalar] {
    (UInt32(0)...0x10FFFF).compactMap(Unicode.Scalar.init)
}

struct UnicodeClassesTests {
    private static func file() throws -> UnicodeClassesFile {
        try Fixtures.decode(UnicodeClassesFile.self, "tokenizers/unicode_classes.json")
    }

    /// Collects mismatching code points and reports the first few.
    private static func check(_ label: String, _ predicate: (Unicode.Scalar) -> Bool, _ expected: [Bool]) {
        var bad: [String] = []
        var count = 0
        for s in allScalars() where predicate(s) != expected[Int(s.value)] {
            count += 1
            if bad.count < 20 { bad.append(String(format: "U+%04X", s.value)) }
        }
        #expect(count == 0, "\(label): \(count) code points differ, e.g. \(bad.joined(separator: " "))")
    }

    @Test func cleanText() throws {
        let f = try Self.file()
        Self.check("clean_text removes", { s in s.value == 0 || s.value == 0xFFFD || HFCharacterClasses.isBertControl(s) },
                   bitmap(f.clean_removed))
        let removed = bitmap(f.clean_removed)
        Self.check("clean_text maps to space", { s in
            !removed[Int(s.value)] && s != " " && HFCharacterClasses.isWhitespace(s)
        }, bitmap(f.clean_to_space))
    }

    @Test func chineseCharacters() throws {
        Self.check("CJK padding", HFCharacterClasses.isChineseCharacter, bitmap(try Self.file().chinese))
    }

    @Test func preTokenizerClasses() throws {
        let f = try Self.file()
        Self.check("pre-tokenizer whitespace", HFCharacterClasses.isWhitespace, bitmap(f.pretokenizer_whitespace))
        let ws = bitmap(f.pretokenizer_whitespace)
        Self.check("pre-tokenizer punctuation", { s in !ws[Int(s.value)] && HFCharacterClasses.isBertPunctuation(s) },
                   bitmap(f.pretokenizer_punctuation))
    }

    /// `\w` for single_word added tokens (U+2603, the probe token itself, is not a word character).
    @Test func wordCharacters() throws {
        Self.check("\\w", HFCharacterClasses.isWordCharacter, bitmap(try Self.file().word_characters))
    }

    @Test func lowercase() throws {
        let expected = scalarMap(try Self.file().lowercase)
        var bad: [String] = []
        for s in allScalars() {
            var out: [Unicode.Scalar] = []
            HFCharacterClasses.appendLowercase(s, to: &out)
            if out != (expected[s.value] ?? [s]) { bad.append(String(format: "U+%04X", s.value)) }
        }
        #expect(bad.isEmpty, "lowercase differs for \(bad.count) code points, e.g. \(bad.prefix(20))")
    }

    /// NFD of every scalar that HF decomposes, and no decomposition for any other assigned scalar
    /// (Hangul syllables are checked algorithmically by the script and here).
    @Test func canonicalDecomposition() throws {
        let expected = scalarMap(try Self.file().nfd)
        var bad: [String] = []
        for s in allScalars() where s.value >= 0xC0 && (s.properties.age != nil || expected[s.value] != nil) {
            var out: [Unicode.Scalar] = []
            HFCanonicalDecomposition.appendNFD([s][...], to: &out)
            let want: [Unicode.Scalar]
            if (0xAC00...0xD7A3).contains(s.value) {
                let i = s.value - 0xAC00
                want = [Unicode.Scalar(0x1100 + i / 588)!, Unicode.Scalar(0x1161 + (i % 588) / 28)!]
                    + (i % 28 == 0 ? [] : [Unicode.Scalar(0x11A7 + i % 28)!])
            } else {
                want = expected[s.value] ?? [s]
            }
            if out != want { bad.append(String(format: "U+%04X", s.value)) }
        }
        #expect(bad.isEmpty, "NFD differs for \(bad.count) code points, e.g. \(bad.prefix(20))")
    }

    /// strip_accents on a single character removes it exactly when HF does.
    @Test func accentStripping() throws {
        let f = try Self.file()
        let decomposes = Set(f.nfd.keys.compactMap { UInt32($0) })
        let normalizer = BertNormalizer(cleanText: false, handleChineseCharacters: false, stripAccents: true, lowercase: false)
        Self.check("strip_accents removes", { s in
            if decomposes.contains(s.value) {
                var out: [Unicode.Scalar] = []
                normalizer.normalize([s][...], into: &out)
                return out.isEmpty
            }
            return HFCharacterClasses.isNonspacingMark(s)
        }, bitmap(f.strip_removed))
    }

    /// Canonical reordering stops at code points newer than Unicode 9.0, as in HF.
    @Test func reorderingBarrier() {
        var out: [Unicode.Scalar] = []
        // U+1AC1 (Unicode 14, ccc 230 today) then U+1D165 (ccc 216): Swift alone would swap them.
        HFCanonicalDecomposition.appendNFD(Array("x\u{1AC1}\u{1D165}y".unicodeScalars)[...], to: &out)
        #expect(out == Array("x\u{1AC1}\u{1D165}y".unicodeScalars))
        out.removeAll()
        HFCanonicalDecomposition.appendNFD(Array("q\u{307}\u{323}".unicodeScalars)[...], to: &out)
        #expect(out == Array("q\u{323}\u{307}".unicodeScalars))
    }
}
