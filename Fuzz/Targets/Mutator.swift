// Seeded mutation of parser inputs, in the spirit of libFuzzer's default mutators: bit flips,
// random and "interesting" bytes, inserted / erased / duplicated ranges, splices with another seed,
// truncation, and — because every parser here reads numbers out of text — decimal numbers swapped
// for extreme ones (2^60, 2^64, -1, 1e308, …). Deterministic for a given seed.

import Foundation

/// xorshift64*: a small deterministic generator for the mutator.
public struct FuzzRng {
    private var state: UInt64
    public init(seed: UInt64) { state = seed == 0 ? 0x9E37_79B9_7F4A_7C15 : seed }
    public mutating func next() -> UInt64 {
        state ^= state >> 12; state ^= state << 25; state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }
    public mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : Int(next() % UInt64(n)) }
    public mutating func chance(_ oneIn: Int) -> Bool { below(oneIn) == 0 }
}

public enum Mutator {
    static let interestingBytes: [UInt8] = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0x0A, 0x0D, 0x09, 0x22, 0x5C, 0x2C, 0x3A,
                                            0x5B, 0x5D, 0x7B, 0x7D, 0xC0, 0xED, 0xEF, 0xF4, 0xF8]
    static let interestingNumbers: [String] = [
        "0", "-1", "1", "2", "-0", "1e308", "-1e308", "1e-400", "9007199254740993", "1152921504606846976",
        "18446744073709551615", "18446744073709551616", "9223372036854775807", "9223372036854775808",
        "-9223372036854775808", "4294967295", "4294967296", "2147483648", "65536", "1.5", "NaN", "Infinity",
        "100000000", "99999999999999999999999999",
    ]
    static let interestingTokens: [String] = [
        "null", "true", "false", "{}", "[]", "\"\"", "\"\\u0000\"", "\"\\ud800\"", "[[[[[[[[", "\"a\":", ",", "\t", "||",
        "\r\n", "\u{FEFF}", "\u{0}",
    ]

    /// One to four mutations of `input`; `others` are splice partners.
    public static func mutate(_ input: [UInt8], others: [[UInt8]], rng: inout FuzzRng, maxSize: Int) -> [UInt8] {
        var out = input
        for _ in 0..<(1 + rng.below(4)) {
            mutateOnce(&out, others: others, rng: &rng)
            if out.count > maxSize { out.removeLast(out.count - maxSize) }
        }
        return out
    }

    static func mutateOnce(_ b: inout [UInt8], others: [[UInt8]], rng: inout FuzzRng) {
        switch rng.below(12) {
        case 0 where !b.isEmpty: b[rng.below(b.count)] ^= UInt8(1 << rng.below(8))
        case 1 where !b.isEmpty: b[rng.below(b.count)] = UInt8(truncatingIfNeeded: rng.next())
        case 2 where !b.isEmpty: b[rng.below(b.count)] = interestingBytes[rng.below(interestingBytes.count)]
        case 3:
            let at = rng.below(b.count + 1)
            b.insert(contentsOf: (0..<(1 + rng.below(8))).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, at: at)
        case 4 where !b.isEmpty:
            let at = rng.below(b.count)
            b.removeSubrange(at..<min(b.count, at + 1 + rng.below(16)))
        case 5 where !b.isEmpty:
            let at = rng.below(b.count), n = min(b.count - at, 1 + rng.below(64))
            b.insert(contentsOf: b[at..<(at + n)], at: rng.below(b.count + 1))
        case 6 where !others.isEmpty:
            let other = others[rng.below(others.count)]
            guard !other.isEmpty else { return }
            let from = rng.below(other.count), n = min(other.count - from, 1 + rng.below(256))
            let at = rng.below(b.count + 1)
            b.replaceSubrange(at..<min(b.count, at + n), with: other[from..<(from + n)])
        case 7 where !b.isEmpty:
            b.removeLast(rng.below(b.count) + 1)
        case 8, 9:
            replaceNumber(&b, rng: &rng)
        case 10:
            let token = Array(interestingTokens[rng.below(interestingTokens.count)].utf8)
            b.insert(contentsOf: token, at: rng.below(b.count + 1))
        default:
            // Binary little-endian fields (length prefixes): overwrite 4 or 8 bytes with an extreme value.
            guard b.count >= 8 else { return }
            let at = rng.below(b.count - 7)
            let values: [UInt64] = [0, 1, UInt64.max, 1 << 60, 1 << 32, UInt64(UInt32.max), 1 << 31, 0x7FFF_FFFF_FFFF_FFFF]
            var v = values[rng.below(values.count)]
            for k in 0..<(rng.chance(2) ? 4 : 8) { b[at + k] = UInt8(truncatingIfNeeded: v); v >>= 8 }
        }
    }

    /// Replaces a run of ASCII digits (a number in the text) with an interesting number.
    static func replaceNumber(_ b: inout [UInt8], rng: inout FuzzRng) {
        let digits = b.indices.filter { (48...57).contains(b[$0]) }
        guard !digits.isEmpty else { return }
        var start = digits[rng.below(digits.count)], end = start
        while start > 0 && (48...57).contains(b[start - 1]) { start -= 1 }
        while end < b.count && (48...57).contains(b[end]) { end += 1 }
        b.replaceSubrange(start..<end, with: Array(interestingNumbers[rng.below(interestingNumbers.count)].utf8))
    }
}
