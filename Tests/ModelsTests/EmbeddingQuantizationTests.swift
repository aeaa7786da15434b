// Quantization against sentence-transformers 6.2's quantize_embeddings (numpy 2.4.6), recorded by
// Scripts/reference/record_quantization_fixtures.py into Tests/Fixtures/quantization: every output
// byte must be equal. Plus truncation, ranges accumulated in blocks, and the errors.

import Foundation
import Models
import Testing
import TestSupport

private struct Fixture: Decodable {
    struct Output: Decodable { let dtype: String; let shape: [Int]; let values: [Int] }
    struct Case: Decodable {
        let name: String
        let rows: Int
        let dimension: Int
        let embeddings_bits: [UInt32]
        let calibration_rows: Int
        let calibration_bits: [UInt32]
        let outputs: [String: Output]
    }
    let sentence_transformers: String
    let cases: [Case]

    static func load() throws -> Fixture {
        try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: TestPaths.fixture("quantization/quantize_embeddings.json")))
    }
}

private func ranges(_ c: Fixture.Case, block: Int) throws -> QuantizationRanges {
    let calibration = c.calibration_bits.map(Float.init(bitPattern:))
    var r = QuantizationRanges(dimension: c.dimension)
    var start = 0
    while start < c.calibration_rows {
        let n = min(block, c.calibration_rows - start)
        try calibration.withUnsafeBufferPointer { try r.include($0.baseAddress! + start * c.dimension, count: n) }
        start += n
    }
    return r
}

/// Each precision's output bytes (as the integers numpy prints).
private func quantize(_ c: Fixture.Case, _ p: QuantizationPrecision, ranges r: QuantizationRanges?) throws -> [Int] {
    let x = c.embeddings_bits.map(Float.init(bitPattern:))
    let q = try EmbeddingQuantizer(precision: p, dimension: c.dimension, ranges: r)
    if p.isSigned {
        var out = [Int8](repeating: 0, count: c.rows * q.columns)
        try out.withUnsafeMutableBufferPointer { try q.quantize(x, rows: c.rows, into: $0.baseAddress!) }
        return out.map(Int.init)
    }
    var out = [UInt8](repeating: 0, count: c.rows * q.columns)
    try out.withUnsafeMutableBufferPointer { try q.quantize(x, rows: c.rows, into: $0.baseAddress!) }
    return out.map(Int.init)
}

@Suite struct EmbeddingQuantizationTests {
    @Test func matchesSentenceTransformersExactly() throws {
        let fixture = try Fixture.load()
        #expect(fixture.sentence_transformers == "6.2.0")
        #expect(fixture.cases.map(\.name) == ["dim16", "dim13"])
        for c in fixture.cases {
            // Calibration in one block or row by row gives the same ranges.
            let r = try ranges(c, block: c.calibration_rows)
            let (byRow, bySeven) = (try ranges(c, block: 1), try ranges(c, block: 7))
            #expect(byRow == r && bySeven == r)
            #expect(r.rows == c.calibration_rows)
            for p in QuantizationPrecision.allCases {
                let theirs = try #require(c.outputs[p.rawValue], "\(c.name) \(p)")
                #expect(theirs.dtype == (p.isSigned ? "int8" : "uint8"))
                #expect(theirs.shape == [c.rows, p.columns(dimension: c.dimension)], "\(c.name) \(p)")
                let ours = try quantize(c, p, ranges: p.needsRanges ? r : nil)
                let mismatches = zip(ours, theirs.values).enumerated().filter { $0.element.0 != $0.element.1 }
                #expect(ours.count == theirs.values.count && mismatches.isEmpty,
                        "\(c.name) \(p.rawValue): \(mismatches.count) bytes differ, first \(mismatches.prefix(5).map { "[\($0.offset)] \($0.element.0) vs \($0.element.1)" })")
            }
        }
    }

    @Test func bitsArePackedMostSignificantFirstAndPaddedWithZeros() throws {
        // 10 dimensions → 2 bytes: 1000_0001 and 01 + six padding zeros; 0, −0 and NaN are not > 0.
        let x: [Float] = [1, -1, 0, -0.0, .nan, -2, -3, 1e-30, -1, 5]
        let u = try EmbeddingQuantizer(precision: .ubinary, dimension: 10)
        var out = [UInt8](repeating: 0, count: 2)
        try u.quantize(x, rows: 1, into: &out)
        #expect(out == [0b1000_0001, 0b0100_0000])
        let s = try EmbeddingQuantizer(precision: .binary, dimension: 10)
        var signed = [Int8](repeating: 0, count: 2)
        try s.quantize(x, rows: 1, into: &signed)
        #expect(signed == [1, -64], "binary = ubinary − 128: 129 − 128, 64 − 128")
    }

    @Test func scalarPrecisionsNeedFiniteCalibration() throws {
        #expect(throws: QuantizationError.rangesRequired(.int8)) { try EmbeddingQuantizer(precision: .int8, dimension: 4) }
        #expect(throws: QuantizationError.emptyCalibration) {
            try EmbeddingQuantizer(precision: .uint8, dimension: 4, ranges: QuantizationRanges(dimension: 4))
        }
        var r = QuantizationRanges(dimension: 2)
        try r.include([0, 1, 2, 3], count: 2)
        #expect(throws: QuantizationError.nonFiniteCalibration(row: 3, column: 1, value: .infinity)) {
            try r.include([0, 1, 2, .infinity], count: 2)
        }
        #expect(r.rows == 2 && r.minimum == [0, 1] && r.maximum == [2, 3], "a refused block leaves the ranges unchanged")
        let q = try EmbeddingQuantizer(precision: .uint8, dimension: 2, ranges: r)
        var out = [UInt8](repeating: 0, count: 4)
        #expect(throws: QuantizationError.notANumber(row: 1, column: 0)) { try q.quantize([1, 2, .nan, 2], rows: 2, into: &out) }
        // binary needs no ranges and takes NaN as not > 0, as numpy does.
        #expect(throws: Never.self) { try EmbeddingQuantizer(precision: .binary, dimension: 2) }
    }

    @Test func truncationKeepsThePrefixAndRenormalizes() {
        let x: [Float] = [3, 4, 12, 1, /* row 1 */ 0, 0, 5, 5]
        var out = [Float](repeating: -1, count: 4)
        EmbeddingTruncation.truncate(x, rows: 2, dimension: 4, to: 2, renormalize: false, into: &out)
        #expect(out == [3, 4, 0, 0])
        EmbeddingTruncation.truncate(x, rows: 2, dimension: 4, to: 2, renormalize: true, into: &out)
        #expect(out == [0.6, 0.8, 0, 0], "a zero prefix stays zero (‖x‖ floored at 1e-12)")
        // In place, as encode uses it.
        var inPlace = x
        inPlace.withUnsafeMutableBufferPointer {
            EmbeddingTruncation.truncate($0.baseAddress!, rows: 2, dimension: 4, to: 3, renormalize: false, into: $0.baseAddress!)
        }
        #expect(Array(inPlace.prefix(6)) == [3, 4, 12, 0, 0, 5])
    }
}
