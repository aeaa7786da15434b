// Builders for hand-made safetensors bytes and the fixture formulas shared with
// Scripts/reference/record_safetensors_fixtures.py.

import Foundation
import TestSupport
@testable import SafeTensors

/// A file: u64 LE `length` (default: the header's byte count), the header bytes, then `data`.
func stFile(_ header: String, data: [UInt8] = [], length: UInt64? = nil) -> Data {
    stFile(bytes: Array(header.utf8), data: data, length: length)
}

func stFile(bytes header: [UInt8], data: [UInt8] = [], length: UInt64? = nil) -> Data {
    var out = Data()
    withUnsafeBytes(of: (length ?? UInt64(header.count)).littleEndian) { out.append(contentsOf: $0) }
    out.append(contentsOf: header)
    out.append(contentsOf: data)
    return out
}

/// One tensor entry's JSON.
func entry(_ name: String, dtype: String = "F32", shape: String, offsets: String) -> String {
    "\"\(name)\":{\"dtype\":\"\(dtype)\",\"shape\":\(shape),\"data_offsets\":\(offsets)}"
}

/// The path used in error expectations.
let testPath = "t.safetensors"

/// Python's value(count, k): Float(i) * 0.37 − Float(k) * 1.25 in float32.
func formulaValues(_ count: Int, _ k: Int) -> [Float] {
    let scale: Float = 0.37, step: Float = 1.25
    let offset = Float(k) * step
    return (0..<count).map { Float($0) * scale - offset }
}

/// FORMULA_TENSORS in the Python script, in its (unsorted) order.
let formulaTensors: [(name: String, shape: [Int], k: Int)] = [
    ("zeta.weight", [3, 5], 1),
    ("alpha", [7], 2),
    ("scalar", [], 3),
    ("Beta.bias", [2, 1, 3], 4),
    ("empty_rows", [0, 4], 5),
    ("mid.layer.10", [1], 6),
    ("mid.layer.9", [4, 3], 7),
]

/// Calls `body` with the formula tensors as writer input.
func withFormulaTensors<R>(_ body: ([SafeTensorsWriter.FloatTensor]) throws -> R) rethrows -> R {
    var pointers: [UnsafeMutableBufferPointer<Float>] = []
    defer { pointers.forEach { $0.deallocate() } }
    for t in formulaTensors {
        let values = formulaValues(t.shape.reduce(1, *), t.k)
        let p = UnsafeMutableBufferPointer<Float>.allocate(capacity: values.count)
        _ = p.initialize(from: values)
        pointers.append(p)
    }
    let tensors = zip(formulaTensors, pointers).map { (t, p) in
        (name: t.name, shape: t.shape, data: UnsafeBufferPointer(p))
    }
    return try body(tensors)
}

/// Calls `body` with writer input holding every tensor of `file` (which must all be F32).
func withTensors<R>(of file: SafeTensorsFile, _ body: ([SafeTensorsWriter.FloatTensor]) throws -> R) throws -> R {
    let arrays = try file.tensors.map { try file.floats($0.name) }
    var pointers: [UnsafeMutableBufferPointer<Float>] = []
    defer { pointers.forEach { $0.deallocate() } }
    for values in arrays {
        let p = UnsafeMutableBufferPointer<Float>.allocate(capacity: values.count)
        _ = p.initialize(from: values)
        pointers.append(p)
    }
    let tensors = zip(file.tensors, pointers).map { (t, p) in
        (name: t.name, shape: t.shape, data: UnsafeBufferPointer(p))
    }
    return try body(tensors)
}

/// A fixture under Tests/Fixtures/safetensors/.
func fixtureURL(_ name: String) -> URL { TestPaths.fixture("safetensors/\(name)") }

func fixtureData(_ name: String) throws -> Data { try Data(contentsOf: fixtureURL(name)) }

/// A fresh empty folder under the system temporary directory.
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("SafeTensorsTests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
