// SpanMask against the reference erase_and_mask (Tests/Fixtures/training/span_mask.json, recorded
// with np.random.randint patched to fixed starts) on real English, Arabic, Russian and Chinese
// lines and crafted strings.

import Kernels
import Testing
import TestSupport
@testable import Training

private struct SpanMaskFixture: Decodable {
    struct Case: Decodable {
        let text: String
        let k: Int
        let start: Int?
        let expected: String
        let first_occurrence_earlier: Bool
    }
    let mask_token: String
    let cases: [Case]
}

@Suite struct SpanMaskTests {
    private static let fixture = try? TrainingFixture.json("span_mask.json", as: SpanMaskFixture.self)

    @Test func matchesReference() throws {
        let f = try #require(Self.fixture)
        var mismatches = 0
        for c in f.cases {
            let got = SpanMask.apply(c.text, spanLength: c.k, maskToken: f.mask_token, start: c.start ?? 0)
            // Compare as scalars: Swift's String == is canonical equivalence, Python's is code points.
            if Array(got.unicodeScalars) != Array(c.expected.unicodeScalars) {
                mismatches += 1
                let message = "k=\(c.k) start=\(String(describing: c.start)) text=\(c.text.debugDescription): "
                    + "got \(got.debugDescription), expected \(c.expected.debugDescription)"
                Issue.record(Comment(rawValue: message))
            }
            #expect(SpanMask.masks(length: c.text.unicodeScalars.count, spanLength: c.k) == (c.start != nil))
        }
        let earlier = f.cases.filter(\.first_occurrence_earlier).count
        let masked = f.cases.filter { $0.start != nil }.count
        print("SpanMask: \(f.cases.count) cases, \(masked) masked, \(earlier) split at an earlier occurrence, "
              + "\(mismatches) mismatches")
        #expect(f.cases.count >= 400)
        #expect(earlier >= 5)
        #expect(f.cases.contains { $0.text.unicodeScalars.count == 29 && $0.k == 5 && $0.start == nil })
        #expect(f.cases.contains { $0.text.unicodeScalars.count == 30 && $0.k == 5 && $0.start != nil })
        // Scalars, not Characters: strings whose Character count differs from their scalar count.
        #expect(f.cases.contains { $0.start != nil && $0.text.count != $0.text.unicodeScalars.count })
    }

    @Test func thirtyScalarRule() {
        let s29 = String(repeating: "a", count: 29), s30 = String(repeating: "a", count: 30)
        #expect(SpanMask.apply(s29, spanLength: 5, maskToken: "[MASK]", start: 3) == s29)
        #expect(SpanMask.apply(s30, spanLength: 5, maskToken: "[MASK]", start: 3) == " [MASK] " + String(repeating: "a", count: 25))
        // 29 Characters but 31 scalars (two combining accents): masked, as in Python.
        let combining = String(repeating: "a", count: 27) + "e\u{301}e\u{301}"
        #expect(combining.count == 29 && combining.unicodeScalars.count == 31)
        #expect(SpanMask.masks(length: combining.unicodeScalars.count, spanLength: 5))
        #expect(SpanMask.apply(combining, spanLength: 0, maskToken: "[MASK]", start: 0) == combining)
        #expect(SpanMask.apply(s30, spanLength: 30, maskToken: "[MASK]", start: 0) == s30)
    }

    @Test func firstOccurrenceSplit() {
        let s = "the cat sat on the mat with the cat again"
        // span "the c" at 28 first occurs at 0
        #expect(SpanMask.apply(s, spanLength: 5, maskToken: "<mask>", start: 28) == " <mask> at sat on the mat with the cat again")
    }

    @Test func randomDrawIsSeededAndOnlyWhenMasking() {
        let long = "A man is playing a guitar on the stage tonight."
        var a = Rng(seed: 9), b = Rng(seed: 9)
        for _ in 0..<50 {
            var copy = a
            let n = long.unicodeScalars.count
            let expected = SpanMask.apply(long, spanLength: 5, maskToken: "[MASK]", start: copy.int(below: n - 5))
            #expect(SpanMask.apply(long, spanLength: 5, maskToken: "[MASK]", rng: &a) == expected)
            #expect(a == copy)
            #expect(SpanMask.apply(long, spanLength: 5, maskToken: "[MASK]", rng: &b) == expected)
        }
        let before = a
        #expect(SpanMask.apply("too short", spanLength: 5, maskToken: "[MASK]", rng: &a) == "too short")
        #expect(SpanMask.apply(long, spanLength: 0, maskToken: "[MASK]", rng: &a) == long)
        #expect(a == before)
    }
}
