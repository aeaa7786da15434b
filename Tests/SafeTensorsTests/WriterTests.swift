// The writer against files written by the Python package's save_file (byte for byte), round trips,
// and the write requests it must refuse.

import FileIO
import Foundation
import Testing
@testable import SafeTensors

@Suite struct WriterByteExactTests {
    @Test func formulaTensorsWithoutMetadata() throws {
        let ours = try withFormulaTensors { try SafeTensorsWriter.encode($0, metadata: [:]) }
        #expect(ours == (try fixtureData("f32_plain.safetensors")))
    }

    @Test func formulaTensorsWithMetadata() throws {
        let ours = try withFormulaTensors { try SafeTensorsWriter.encode($0, metadata: ["format": "pt"]) }
        #expect(ours == (try fixtureData("f32_metadata.safetensors")))
    }

    @Test func escapesMatchSerdeJSON() throws {
        let a = formulaValues(2, 1), w = formulaValues(1, 2)
        let ours = try a.withUnsafeBufferPointer { pa in
            try w.withUnsafeBufferPointer { pw in
                try SafeTensorsWriter.encode([(name: "w", shape: [1], data: pw), (name: "é😀\"\\\t\u{1}\u{7f}/x", shape: [2], data: pa)],
                                             metadata: ["k\"\n\u{1f}\u{7f}/é": "v\\\u{8}\u{c}\r😀"])
            }
        }
        #expect(ours == (try fixtureData("f32_escapes.safetensors")))
    }

    @Test func noTensors() throws {
        #expect(try SafeTensorsWriter.encode([], metadata: [:]) == (try fixtureData("empty.safetensors")))
        #expect(try SafeTensorsWriter.encode([], metadata: ["format": "pt"]) == (try fixtureData("empty_metadata.safetensors")))
    }

    /// Python writes several metadata keys in random (Rust HashMap) order; ours are sorted. All else
    /// must match: total length, header length, tensor entries, data bytes.
    @Test func severalMetadataKeysMatchUpToKeyOrder() throws {
        let metadata = ["format": "pt", "step": "1200", "base": "all-MiniLM-L6-v2", "a": ""]
        let ours = try withFormulaTensors { try SafeTensorsWriter.encode($0, metadata: metadata) }
        let theirs = try fixtureData("f32_metadata_multi.safetensors")
        #expect(ours.count == theirs.count)
        let (a, b) = (try SafeTensorsFile(data: ours), try SafeTensorsFile(data: theirs))
        #expect(a.dataOffset == b.dataOffset && a.tensors == b.tensors && a.metadata == b.metadata)
        #expect(ours[a.dataOffset...] == theirs[b.dataOffset...])
        let header = String(decoding: ours[8..<a.dataOffset], as: UTF8.self)
        #expect(header.hasPrefix("{\"__metadata__\":{\"a\":\"\",\"base\":\"all-MiniLM-L6-v2\",\"format\":\"pt\",\"step\":\"1200\"},"))
    }

    @Test func writeToFileMatchesEncodeAndLeavesNoTemporaryFiles() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("model.safetensors")
        try Data("old".utf8).write(to: url)
        try withFormulaTensors { try SafeTensorsWriter.write($0, metadata: ["format": "pt"], to: url) }
        #expect(try Data(contentsOf: url) == (try fixtureData("f32_metadata.safetensors")))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["model.safetensors"])
    }

    @Test func refusedWriteLeavesTheOldFile() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("model.safetensors")
        try Data("old".utf8).write(to: url)
        let x: [Float] = [1, 2]
        #expect(throws: SafeTensorsError.writeShapeMismatch(path: url.path, tensor: "x", shape: [3], count: 2)) {
            try x.withUnsafeBufferPointer { try SafeTensorsWriter.write([(name: "x", shape: [3], data: $0)], metadata: [:], to: url) }
        }
        #expect(try Data(contentsOf: url) == Data("old".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["model.safetensors"])
    }
}

@Suite struct RoundTripTests {
    @Test(arguments: ["f32_plain", "f32_metadata", "f32_random", "f32_escapes", "empty", "empty_metadata"])
    func readThenWriteF32IsByteExact(name: String) throws {
        let original = try fixtureData("\(name).safetensors")
        let f = try SafeTensorsFile(data: original)
        let again = try withTensors(of: f) { try SafeTensorsWriter.encode($0, metadata: f.metadata) }
        #expect(again == original)
    }

    @Test(arguments: ["mixed_dtypes", "half_precision", "f32_random"])
    func readThenWriteRawIsByteExact(name: String) throws {
        let original = try fixtureData("\(name).safetensors")
        let f = try SafeTensorsFile(data: original)
        let again = try f.withDataBuffer { buffer in
            try SafeTensorsWriter.encode(raw: f.tensors.map {
                .init(name: $0.name, dtype: $0.dtype, shape: $0.shape, bytes: UnsafeRawBufferPointer(rebasing: buffer[$0.byteRange]))
            }, metadata: f.metadata)
        }
        #expect(again == original)
    }

    @Test func writtenFileReadsBack() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("out.safetensors")
        let values: [Float] = [.infinity, -0.0, .leastNonzeroMagnitude, 3.25, -.greatestFiniteMagnitude, .nan]
        try values.withUnsafeBufferPointer {
            try SafeTensorsWriter.write([(name: "v", shape: [2, 3], data: $0)], metadata: ["k": "v"], to: url)
        }
        let f = try SafeTensorsFile(url: url)
        #expect(f.tensors == [TensorInfo(name: "v", dtype: .f32, shape: [2, 3], byteRange: 0..<24)])
        #expect(try f.floats("v").map(\.bitPattern) == values.map(\.bitPattern))
        #expect(f.dataOffset % 8 == 0)
    }
}

@Suite struct WriterRefusalTests {
    private let one: [Float] = [1]

    @Test func duplicateNames() {
        #expect(throws: SafeTensorsError.writeDuplicateName(path: "<memory>", tensor: "a")) {
            try one.withUnsafeBufferPointer { try SafeTensorsWriter.encode([(name: "a", shape: [1], data: $0), (name: "a", shape: [], data: $0)], metadata: [:]) }
        }
    }

    @Test func reservedName() {
        #expect(throws: SafeTensorsError.writeReservedName(path: "<memory>")) {
            try one.withUnsafeBufferPointer { try SafeTensorsWriter.encode([(name: "__metadata__", shape: [1], data: $0)], metadata: [:]) }
        }
    }

    @Test func shapeMustMatchData() {
        #expect(throws: SafeTensorsError.writeShapeMismatch(path: "<memory>", tensor: "a", shape: [2], count: 1)) {
            try one.withUnsafeBufferPointer { try SafeTensorsWriter.encode([(name: "a", shape: [2], data: $0)], metadata: [:]) }
        }
        #expect(throws: SafeTensorsError.writeShapeMismatch(path: "<memory>", tensor: "a", shape: [-1, -1], count: 1)) {
            try one.withUnsafeBufferPointer { try SafeTensorsWriter.encode([(name: "a", shape: [-1, -1], data: $0)], metadata: [:]) }
        }
        #expect(throws: SafeTensorsError.writeShapeMismatch(path: "<memory>", tensor: "a", shape: [1 << 40, 1 << 40], count: 1)) {
            try one.withUnsafeBufferPointer { try SafeTensorsWriter.encode([(name: "a", shape: [1 << 40, 1 << 40], data: $0)], metadata: [:]) }
        }
    }

    @Test func rawBytesMustMatchShape() {
        let bytes: [UInt8] = [0, 0, 0]
        #expect(throws: SafeTensorsError.writeByteCountMismatch(path: "<memory>", tensor: "h", expected: 4, actual: 3)) {
            try bytes.withUnsafeBytes { try SafeTensorsWriter.encode(raw: [.init(name: "h", dtype: .f16, shape: [2], bytes: $0)], metadata: [:]) }
        }
        #expect(throws: SafeTensorsError.writeByteCountMismatch(path: "<memory>", tensor: "p", expected: 2, actual: 3)) {
            try bytes.withUnsafeBytes { try SafeTensorsWriter.encode(raw: [.init(name: "p", dtype: .f4, shape: [3], bytes: $0)], metadata: [:]) }
        }
    }

    @Test func hugeHeaderIsRefused() {
        let big = String(decoding: [UInt8](repeating: UInt8(ascii: "m"), count: 100_000_001), as: UTF8.self)
        #expect(throws: SafeTensorsError.writeHeaderTooLarge(path: "<memory>", length: 100_000_002)) {
            try SafeTensorsWriter.encode([], metadata: ["k": big])
        }
    }
}
