// NFD as the Python `tokenizers` package computes it (the `unicode-normalization-alignments`
// crate, whose tables are Unicode 9.0).
//
// Swift's NFD (Foundation's decomposedStringWithCanonicalMapping) uses current Unicode. The two
// differ only for code points assigned after 9.0: for HF they have no decomposition and combining
// class 0 (so, e.g., U+11938 stays whole and a newer combining mark is not reordered). A code point
// with combining class 0 and no decomposition is a barrier for canonical reordering, so HF's
// result is Swift's NFD applied to the runs between such code points, which are kept as they are.

import Foundation

enum HFCanonicalDecomposition {
    /// Appends the NFD of `input` to `output`.
    static func appendNFD(_ input: ArraySlice<Unicode.Scalar>, to output: inout [Unicode.Scalar]) {
        // Below U+00C0 nothing decomposes and every combining class is 0.
        guard input.contains(where: { $0.value >= 0xC0 }) else {
            output.append(contentsOf: input)
            return
        }
        var runStart = input.startIndex
        for i in input.indices where input[i].value >= 0xC0 && HFCharacterClasses.isAssignedAfter9(input[i]) {
            appendSwiftNFD(input[runStart..<i], to: &output)
            output.append(input[i])
            runStart = i + 1
        }
        appendSwiftNFD(input[runStart..<input.endIndex], to: &output)
    }

    private static func appendSwiftNFD(_ run: ArraySlice<Unicode.Scalar>, to output: inout [Unicode.Scalar]) {
        if run.isEmpty { return }
        guard run.contains(where: { $0.value >= 0xC0 }) else {
            output.append(contentsOf: run)
            return
        }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: run)
        output.append(contentsOf: String(view).decomposedStringWithCanonicalMapping.unicodeScalars)
    }
}
