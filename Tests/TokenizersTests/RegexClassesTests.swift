// RegexCharacterClasses against the classes HF's Oniguruma gives every code point
// (Tests/Fixtures/tokenizers/regex_classes.json).

import Foundation
import Testing
import TestSupport
@testable import Tokenizers

private struct RegexClassesFile: Decodable {
    let letter: [[UInt32]]
    let number: [[UInt32]]
    let whitespace: [[UInt32]]
}

struct RegexClassesTests {
    @Test func everyCodePoint() throws {
        let file = try Fixtures.decode(RegexClassesFile.self, "tokenizers/regex_classes.json")
        var expected = [RegexCharacterClasses.Kind](repeating: .other, count: 0x110000)
        for (ranges, kind) in [(file.letter, RegexCharacterClasses.Kind.letter), (file.number, .number), (file.whitespace, .whitespace)] {
            for r in ranges { for v in r[0]...r[1] { expected[Int(v)] = kind } }
        }
        var mismatches: [String] = []
        for v in 0..<UInt32(0x110000) {
            guard let s = Unicode.Scalar(v) else { continue }
            let got = RegexCharacterClasses.kind(s)
            if got != expected[Int(v)] { mismatches.append(String(format: "U+%04X %@ expected %@", v, "\(got)", "\(expected[Int(v)])")) }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches: \(mismatches.prefix(10))")
    }
}
