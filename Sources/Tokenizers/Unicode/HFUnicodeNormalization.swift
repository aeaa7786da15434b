// NFC, NFD, NFKC and NFKD as the Python `tokenizers` package computes them (the
// `unicode-normalization-alignments` crate, Unicode 9.0 tables); see HFCanonicalDecomposition for
// why Swift's (current) normalization applied to the runs between code points assigned after 9.0
// gives HF's result: such a code point has no decomposition and combining class 0 there, so it
// blocks reordering and composition, and is kept as it is. Composition of older code points is
// stable across versions (new composites are composition exclusions).

import Foundation

enum HFUnicodeNormalization {
    enum Form: String, Sendable {
        case nfc = "NFC", nfd = "NFD", nfkc = "NFKC", nfkd = "NFKD"
    }

    /// Appends `form` of `input` to `output`.
    static func append(_ form: Form, _ input: ArraySlice<Unicode.Scalar>, to output: inout [Unicode.Scalar]) {
        // Nothing below U+00A0 changes under any form.
        guard input.contains(where: { $0.value >= 0xA0 }) else {
            output.append(contentsOf: input)
            return
        }
        var runStart = input.startIndex
        for i in input.indices where input[i].value >= 0xA0 && HFCharacterClasses.isAssignedAfter9(input[i]) {
            appendSwift(form, input[runStart..<i], to: &output)
            output.append(input[i])
            runStart = i + 1
        }
        appendSwift(form, input[runStart..<input.endIndex], to: &output)
    }

    private static func appendSwift(_ form: Form, _ run: ArraySlice<Unicode.Scalar>, to output: inout [Unicode.Scalar]) {
        if run.isEmpty { return }
        guard run.contains(where: { $0.value >= 0xA0 }) else {
            output.append(contentsOf: run)
            return
        }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: run)
        let s = String(view)
        let normalized: String
        switch form {
        case .nfc: normalized = s.precomposedStringWithCanonicalMapping
        case .nfd: normalized = s.decomposedStringWithCanonicalMapping
        case .nfkc: normalized = s.precomposedStringWithCompatibilityMapping
        case .nfkd: normalized = s.decomposedStringWithCompatibilityMapping
        }
        output.append(contentsOf: normalized.unicodeScalars)
    }
}
