// SentencePiece's precompiled normalizer (tokenizer.json `{"type": "Precompiled",
// "precompiled_charsmap": base64}`), as tokenizers/src/normalizers/precompiled.rs and the
// spm_precompiled crate apply it.
//
// The charsmap (after base64): u32 LE trie size in bytes, then the trie — a Darts double array of
// u32 LE units over UTF-8 bytes — then the replacement strings, each ending with NUL. A unit has
// bits 0–7 label (bit 31 too, so a leaf never matches a byte), bit 8 "has leaf", bit 9 a shift
// flag and bits 10–31 the offset: offset = (unit >> 10) << ((unit & 0x200) >> 6). From node
// position p, the child for byte c is at q = p ^ offset(unit[p]) ^ c when label(unit[q]) == c; a
// key ends there when bit 8 of unit[q] is set, its value is unit[q ^ offset(unit[q])] & 0x7FFFFFFF,
// an offset into the strings.
//
// Normalization walks the text by extended grapheme clusters: a cluster shorter than 6 UTF-8 bytes
// is replaced whole by the string of the *shortest* charsmap key that is a prefix of its bytes, if
// any; otherwise each scalar of the cluster is replaced by the string of the shortest key that is
// a prefix of its bytes, or kept. (HF's comment: "Yes, this is weird" — but it is what XLM-R,
// mBART and Marian were trained with.) Clusters come from Swift's Character segmentation
// (Unicode 17 rules; HF's unicode-segmentation crate has 16.0 — the two differ only for clusters
// involving newer code points).

import Foundation

/// A Precompiled normalizer.
public struct Precompiled: Normalizer {
    private let units: [UInt32]
    private let strings: [UInt8]

    enum ParseError: Error, CustomStringConvertible {
        case tooShort, trieSize(UInt32, Int), stringsNotUTF8, emptyTrie

        var description: String {
            switch self {
            case .tooShort: return "shorter than its 4-byte trie size"
            case let .trieSize(size, available): return "trie size \(size) is not a multiple of 4 or exceeds the \(available) bytes after it"
            case .stringsNotUTF8: return "the replacement strings are not valid UTF-8"
            case .emptyTrie: return "the trie is empty"
            }
        }
    }

    /// From the decoded charsmap bytes.
    init(charsmap: [UInt8]) throws {
        guard charsmap.count >= 4 else { throw ParseError.tooShort }
        let size = UInt32(charsmap[0]) | UInt32(charsmap[1]) << 8 | UInt32(charsmap[2]) << 16 | UInt32(charsmap[3]) << 24
        guard size % 4 == 0, Int(size) <= charsmap.count - 4 else { throw ParseError.trieSize(size, charsmap.count - 4) }
        guard size > 0 else { throw ParseError.emptyTrie }
        var units = [UInt32](repeating: 0, count: Int(size) / 4)
        for i in 0..<units.count {
            let b = 4 + 4 * i
            units[i] = UInt32(charsmap[b]) | UInt32(charsmap[b + 1]) << 8 | UInt32(charsmap[b + 2]) << 16
                | UInt32(charsmap[b + 3]) << 24
        }
        let strings = Array(charsmap[(4 + Int(size))...])
        guard String(validating: strings, as: UTF8.self) != nil else { throw ParseError.stringsNotUTF8 }
        self.units = units
        self.strings = strings
    }

    public var summary: String { "precompiled charsmap" }

    // MARK: - Double array

    @inline(__always)
    private static func offset(_ unit: UInt32) -> Int { Int((unit >> 10) << ((unit & 0x200) >> 6)) }

    /// The value of the shortest key that is a prefix of `bytes` (stopping at a NUL byte), or nil.
    /// Positions outside the array end the search (HF would index out of bounds; real charsmaps
    /// never lead there).
    private func shortestPrefixValue<C: Collection>(_ bytes: C) -> Int? where C.Element == UInt8 {
        var position = Self.offset(units[0])
        for c in bytes {
            if c == 0 { return nil }
            position ^= Int(c)
            guard position >= 0, position < units.count else { return nil }
            let unit = units[position]
            if unit & 0x8000_00FF != UInt32(c) { return nil }
            position ^= Self.offset(unit)
            if unit & 0x100 != 0 {
                guard position < units.count else { return nil }
                return Int(units[position] & 0x7FFF_FFFF)
            }
        }
        return nil
    }

    /// The replacement string at `index`: up to the next NUL.
    private func appendString(at index: Int, to output: inout [Unicode.Scalar]) {
        guard index < strings.count else { return }
        var end = index
        while end < strings.count && strings[end] != 0 { end += 1 }
        output.append(contentsOf: String(decoding: strings[index..<end], as: UTF8.self).unicodeScalars)
    }

    // MARK: - Normalizer

    public func normalize(_ input: ArraySlice<Unicode.Scalar>, into output: inout [Unicode.Scalar]) {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: input)
        let text = String(view)
        var bytes: [UInt8] = []
        for cluster in text {
            let utf8 = cluster.utf8
            if utf8.count < 6, let value = shortestPrefixValue(utf8) {
                appendString(at: value, to: &output)
                continue
            }
            for s in cluster.unicodeScalars {
                bytes.removeAll(keepingCapacity: true)
                bytes.append(contentsOf: UTF8.encode(s)!)
                if let value = shortestPrefixValue(bytes) {
                    appendString(at: value, to: &output)
                } else {
                    output.append(s)
                }
            }
        }
    }
}
