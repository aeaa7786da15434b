// The NPY writer against files written by numpy 2.4.6's np.save (Tests/Fixtures/safetensors/numpy_*,
// recorded by Scripts/reference/record_safetensors_fixtures.py; int8/uint8 ones in
// Tests/Fixtures/quantization, by Scripts/reference/record_quantization_fixtures.py).

import Foundation
import Testing
import TestSupport
@testable import FileIO

/// The script's value(n, 0): Float(i) * 0.37.
private func values(_ n: Int) -> [Float] {
    let scale: Float = 0.37
    return (0..<n).map { Float($0) * scale }
}

private func fixture(_ name: String) -> URL { TestPaths.fixture("safetensors/\(name)") }

@Suite struct NPYTests {
    @Test(arguments: [(3, 5), (0, 4), (1, 1), (17, 384)])
    func matchesNumpyByteForByte(rows: Int, columns: Int) throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("m.npy")
        let v = values(rows * columns)
        try v.withUnsafeBufferPointer { try NPY.write($0, rows: rows, columns: columns, to: url) }
        let theirs = try Data(contentsOf: fixture("numpy_f32_\(rows)x\(columns).npy"))
        #expect(try Data(contentsOf: url) == theirs)
        #expect(NPY.headerBytes(rows: rows, columns: columns).count % 64 == 0)
        #expect(try listing(dir) == ["m.npy"])
    }

    @Test func headerForWideMatrixMatchesNumpy() throws {
        let theirs = try Data(contentsOf: fixture("numpy_f32_2x1234567890.npy.header"))
        #expect(Data(NPY.headerBytes(rows: 2, columns: 1_234_567_890)) == theirs)
    }

    @Test func blocksOfAnySizeGiveTheSameFile() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("m.npy")
        let v = values(17 * 384)
        try NPY.write(rows: 17, columns: 384, to: url) { emit in
            try v.withUnsafeBufferPointer { all in
                var row = 0
                for block in [1, 5, 0, 11] {
                    try emit(UnsafeBufferPointer(rebasing: all[(row * 384)..<((row + block) * 384)]))
                    row += block
                }
            }
        }
        #expect(try Data(contentsOf: url) == (try Data(contentsOf: fixture("numpy_f32_17x384.npy"))))
    }

    @Test func readsNumpyFilesAndOwnFiles() throws {
        let (shape, data) = try NPY.read(fixture("numpy_f32_3x5.npy"))
        #expect(shape == [3, 5] && data == values(15))
        let empty = try NPY.read(fixture("numpy_f32_0x4.npy"))
        #expect(empty.shape == [0, 4] && empty.data.isEmpty)

        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("m.npy")
        let special: [Float] = [-0.0, .infinity, .leastNonzeroMagnitude, -3.5, .greatestFiniteMagnitude, 1e-20]
        try special.withUnsafeBufferPointer { try NPY.write($0, rows: 2, columns: 3, to: url) }
        let back = try NPY.read(url)
        #expect(back.shape == [2, 3] && back.data.map(\.bitPattern) == special.map(\.bitPattern))
    }

    @Test func wrongRowCountsLeaveNoFile() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("m.npy")
        let row: [Float] = [1, 2, 3]
        #expect(throws: NPYError.rowCountMismatch(path: url.path, expected: 2, actual: 1)) {
            try NPY.write(rows: 2, columns: 3, to: url) { emit in try row.withUnsafeBufferPointer { try emit($0) } }
        }
        #expect(throws: NPYError.rowCountMismatch(path: url.path, expected: 1, actual: 2)) {
            try NPY.write(rows: 1, columns: 3, to: url) { emit in
                try row.withUnsafeBufferPointer { try emit($0); try emit($0) }
            }
        }
        #expect(throws: NPYError.partialRow(path: url.path, count: 2, columns: 3)) {
            try NPY.write(rows: 1, columns: 3, to: url) { emit in
                try row.withUnsafeBufferPointer { try emit(UnsafeBufferPointer(rebasing: $0[0..<2])) }
            }
        }
        #expect(try listing(dir) == [])
        // An existing file survives a failed write.
        try Data("old".utf8).write(to: url)
        #expect(throws: NPYError.self) { try NPY.write(rows: 5, columns: 3, to: url) { _ in } }
        #expect(try Data(contentsOf: url) == Data("old".utf8))
    }

    /// int8 and uint8 matrices saved by numpy (Tests/Fixtures/quantization, recorded by
    /// Scripts/reference/record_quantization_fixtures.py) read back and are rewritten byte for byte.
    @Test(arguments: ["dim16", "dim13"])
    func byteMatricesMatchNumpy(case name: String) throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("m.npy")
        for precision in ["int8", "binary"] {
            let theirs = TestPaths.fixture("quantization/\(name)_\(precision).npy")
            let (shape, data) = try NPY.read(theirs, as: Int8.self)
            #expect(shape.count == 2 && shape[0] == 14)
            try data.withUnsafeBufferPointer { try NPY.write($0, rows: shape[0], columns: shape[1], to: url) }
            #expect(try Data(contentsOf: url) == (try Data(contentsOf: theirs)), "\(name) \(precision)")
        }
        for precision in ["uint8", "ubinary"] {
            let theirs = TestPaths.fixture("quantization/\(name)_\(precision).npy")
            let (shape, data) = try NPY.read(theirs, as: UInt8.self)
            try data.withUnsafeBufferPointer { try NPY.write($0, rows: shape[0], columns: shape[1], to: url) }
            #expect(try Data(contentsOf: url) == (try Data(contentsOf: theirs)), "\(name) \(precision)")
        }
    }

    @Test func readRefusesAnotherElementType() throws {
        let theirs = TestPaths.fixture("quantization/dim16_uint8.npy")
        #expect(throws: NPYError.dtypeMismatch(path: theirs.path, expected: "|i1", actual: "|u1")) {
            try NPY.read(theirs, as: Int8.self)
        }
        #expect(throws: NPYError.dtypeMismatch(path: theirs.path, expected: "<f4", actual: "|u1")) { try NPY.read(theirs) }
        #expect(throws: NPYError.dtypeMismatch(path: fixture("numpy_f32_3x5.npy").path, expected: "|u1", actual: "<f4")) {
            try NPY.read(fixture("numpy_f32_3x5.npy"), as: UInt8.self)
        }
    }

    @Test func zeroColumns() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("m.npy")
        try NPY.write(rows: 4, columns: 0, to: url) { _ in }
        let back = try NPY.read(url)
        #expect(back.shape == [4, 0] && back.data.isEmpty)
    }

    @Test func readRefusesOtherFiles() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("x.npy")

        try Data("not numpy at all".utf8).write(to: url)
        #expect(throws: NPYError.notNPY(path: url.path)) { try NPY.read(url) }

        var header = NPY.headerBytes(rows: 1, columns: 2)
        header[6] = 4
        try Data(header).write(to: url)
        #expect(throws: NPYError.unsupportedVersion(path: url.path, major: 4, minor: 0)) { try NPY.read(url) }

        try Data(NPY.headerBytes(rows: 1, columns: 2).prefix(40)).write(to: url)
        #expect(throws: NPYError.truncatedHeader(path: url.path)) { try NPY.read(url) }

        try Data(NPY.headerBytes(rows: 1, columns: 2) + [0, 0, 0, 0]).write(to: url)
        #expect(throws: NPYError.dataSizeMismatch(path: url.path, expected: 8, actual: 4)) { try NPY.read(url) }

        for (from, to) in [("'<f4'", "'<f8'"), ("False", "True ")] {
            var file = Data(NPY.headerBytes(rows: 1, columns: 2))
            let range = try #require(file.range(of: Data(from.utf8)))
            file.replaceSubrange(range, with: Data(to.utf8))
            try (file + Data(count: 8)).write(to: url)
            do {
                _ = try NPY.read(url)
                Issue.record("read a header with \(to)")
            } catch NPYError.unsupportedHeader(let path, _) {
                #expect(path == url.path)
            }
        }
    }

    @Test func headerParser() {
        #expect(NPY.parseHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }")?.shape == [3])
        #expect(NPY.parseHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (), }")?.shape == [])
        #expect(NPY.parseHeader("{'shape': (2, 3), 'fortran_order': False, 'descr': '<f4'}  \n")?.shape == [2, 3])
        #expect(NPY.parseHeader("{'descr': '|i1', 'fortran_order': False, 'shape': (2, 3), }")?.descr == "|i1")
        #expect(NPY.parseHeader("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), }")?.descr == "|u1")
        #expect(NPY.parseHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (-1, 3), }") == nil)
        #expect(NPY.parseHeader("{'descr': '<f4', 'shape': (2, 3), }") == nil)
        #expect(NPY.parseHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'x': 1}") == nil)
        #expect(NPY.parseHeader("{'descr': '<i2', 'fortran_order': False, 'shape': (2, 3), }") == nil)
    }
}
