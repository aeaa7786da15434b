// Random span masking, Mirror-BERT's input-side augmentation: the reference's `erase_and_mask`
// (cambridgeltl/mirror-bert src/data_loader.py), reproduced exactly, including its quirks:
//
//   n = len(s) in Unicode scalars (Python str indexing is by code point, not grapheme cluster)
//   if k == 0 or n ≤ k or n < 30: s unchanged (no draw)
//   start ~ uniform [0, n − k);  sub = s[start ..< start + k]
//   left, right = s split at the FIRST occurrence of sub (which may lie before start)
//   result = left + " " + maskToken + " " + right
//
// The reference always writes "[MASK]" (its comment admits RoBERTa wants "<mask>"); the caller
// passes the tokenizer's mask token or "[MASK]" for reference behaviour.

import Kernels

/// The reference's span-mask augmentation over Unicode scalars.
public enum SpanMask {
    /// Strings shorter than this (in Unicode scalars) are never masked (the reference's rule).
    public static let minimumLength = 30

    /// Masks a random span of `k` scalars in `s`, drawing the start from `rng` (one draw, and only
    /// when the string is long enough to be masked).
    public static func apply(_ s: String, spanLength k: Int, maskToken: String, rng: inout Rng) -> String {
        precondition(k >= 0, "SpanMask: negative span length")
        let n = s.unicodeScalars.count
        guard masks(length: n, spanLength: k) else { return s }
        return apply(s, spanLength: k, maskToken: maskToken, start: rng.int(below: n - k))
    }

    /// Masks the span of `k` scalars at `start` (0 ≤ start < n − k; ignored when `s` is not masked),
    /// with the reference's first-occurrence split.
    public static func apply(_ s: String, spanLength k: Int, maskToken: String, start: Int) -> String {
        precondition(k >= 0, "SpanMask: negative span length")
        let scalars = Array(s.unicodeScalars)
        let n = scalars.count
        guard masks(length: n, spanLength: k) else { return s }
        precondition(start >= 0 && start < n - k, "SpanMask: start \(start) outside 0..<\(n - k)")
        let first = firstOccurrence(of: scalars[start..<(start + k)], in: scalars)
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars[0..<first])
        out.append(" ")
        out.append(contentsOf: maskToken.unicodeScalars)
        out.append(" ")
        out.append(contentsOf: scalars[(first + k)...])
        return String(out)
    }

    /// Whether a string of `n` scalars gets masked with span length `k`.
    public static func masks(length n: Int, spanLength k: Int) -> Bool {
        k > 0 && n > k && n >= minimumLength
    }

    /// The first index where `needle` occurs in `haystack` (it is known to occur).
    private static func firstOccurrence(of needle: ArraySlice<Unicode.Scalar>, in haystack: [Unicode.Scalar]) -> Int {
        let k = needle.count
        outer: for i in 0...(haystack.count - k) {
            var j = 0
            for c in needle {
                if haystack[i + j] != c { continue outer }
                j += 1
            }
            return i
        }
        preconditionFailure("SpanMask: span not found in its own string")
    }
}
