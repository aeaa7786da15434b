// Reading files written by the Python package (Tests/Fixtures/safetensors, recorded by
// Scripts/reference/record_safetensors_fixtures.py) and the real MiniLM checkpoint.

import FileIO
import Foundation
import Testing
import TestSupport
@testable import SafeTensors

@Suite struct FixtureReadTests {
    @Test func formulaTensorsReadExactly() throws {
        let f = try SafeTensorsFile(url: fixtureURL("f32_plain.safetensors"))
        #expect(f.metadata == [:])
        #expect(f.path.hasSuffix("f32_plain.safetensors"))
        // Python orders by name (UTF-8 bytes, so "B" < "a" and "10" < "9").
        #expect(f.tensors.map(\.name) == ["Beta.bias", "alpha", "empty_rows", "mid.layer.10", "mid.layer.9", "scalar", "zeta.weight"])
        // The empty tensor occupies no bytes, at the offset where the next one starts.
        #expect(f.info("empty_rows")?.byteRange == 52..<52 && f.info("mid.layer.10")?.byteRange == 52..<56)
        for t in formulaTensors {
            let info = try #require(f.info(t.name))
            #expect(info.dtype == .f32 && info.shape == t.shape)
            #expect(try f.floats(t.name) == formulaValues(t.shape.reduce(1, *), t.k), "\(t.name)")
        }
        #expect(f.info("nope") == nil)
    }

    @Test func metadataIsRead() throws {
        #expect(try SafeTensorsFile(url: fixtureURL("f32_metadata.safetensors")).metadata == ["format": "pt"])
        let multi = try SafeTensorsFile(url: fixtureURL("f32_metadata_multi.safetensors"))
        #expect(multi.metadata == ["format": "pt", "step": "1200", "base": "all-MiniLM-L6-v2", "a": ""])
        #expect(try SafeTensorsFile(url: fixtureURL("empty_metadata.safetensors")).metadata == ["format": "pt"])
        let empty = try SafeTensorsFile(url: fixtureURL("empty.safetensors"))
        #expect(empty.tensors.isEmpty && empty.metadata.isEmpty)
    }

    @Test func escapedStringsAreDecoded() throws {
        let f = try SafeTensorsFile(url: fixtureURL("f32_escapes.safetensors"))
        #expect(f.metadata == ["k\"\n\u{1f}\u{7f}/é": "v\\\u{8}\u{c}\r😀"])
        #expect(f.tensors.map(\.name) == ["w", "é😀\"\\\t\u{1}\u{7f}/x"])
        #expect(try f.floats("é😀\"\\\t\u{1}\u{7f}/x") == formulaValues(2, 1))
    }

    @Test func halfPrecisionMatchesTorchBitForBit() throws {
        let f = try SafeTensorsFile(url: fixtureURL("half_precision.safetensors"))
        for name in ["f16", "bf16", "f16.matrix"] {
            let got = try f.floats(name)
            let want = try f.floats(name + ".as_f32")
            #expect(got.count == want.count && !got.isEmpty)
            for (i, (g, w)) in zip(got, want).enumerated() {
                #expect(g.bitPattern == w.bitPattern, "\(name)[\(i)]: \(g) (\(hex(g))) vs torch \(w) (\(hex(w)))")
            }
        }
        // The fixture does cover the special values.
        let f16 = try f.floats("f16")
        #expect(f16.contains { $0.isSubnormal == false && $0 != 0 && $0.magnitude < 1e-4 })  // F16 subnormals are F32 normals
        #expect(f16.contains { $0 == 0 && $0.sign == .minus })
        #expect(f16.contains { $0 == -.infinity } && f16.contains { $0.isNaN })
        let bf16 = try f.floats("bf16")
        #expect(bf16.contains { $0.isSubnormal } && bf16.contains { $0.isSignalingNaN })
    }

    @Test func readFloatsIntoCallerBuffer() throws {
        let f = try SafeTensorsFile(url: fixtureURL("f32_plain.safetensors"))
        var dst = [Float](repeating: .nan, count: 15)
        try dst.withUnsafeMutableBufferPointer { try f.readFloats("zeta.weight", into: $0) }
        #expect(dst == formulaValues(15, 1))
        var short = [Float](repeating: 0, count: 14)
        #expect(throws: SafeTensorsError.destinationSizeMismatch(path: f.path, tensor: "zeta.weight", expected: 15, actual: 14)) {
            try short.withUnsafeMutableBufferPointer { try f.readFloats("zeta.weight", into: $0) }
        }
        #expect(throws: SafeTensorsError.tensorNotFound(path: f.path, tensor: "zeta")) { try f.floats("zeta") }
    }

    @Test func mixedDTypes() throws {
        let f = try SafeTensorsFile(url: fixtureURL("mixed_dtypes.safetensors"))
        // Python writes the highest dtype rank first, then by name.
        #expect(f.tensors.map(\.dtype) == [.i64, .f64, .f32, .i32, .bf16, .f16, .i16, .i8, .u8, .bool])
        #expect(try f.int64s("ids") == [0, 1, 2, -3, 1 << 40, -(1 << 62)])
        #expect(try f.int64s("i32") == [7, -8, Int64(Int32.max)])
        #expect(try f.int64s("i16") == [-300, 300])
        #expect(try f.int64s("i8") == [-128, 127, 0])
        #expect(try f.int64s("u8") == [0, 255, 17])
        #expect(try f.floats("f32") == [0.5, -0.75, 3])
        #expect(try f.floats("bf16") == [1, -2])
        #expect(try f.floats("f16") == [0.5, 4, -1])
        #expect(throws: SafeTensorsError.unsupportedConversion(path: f.path, tensor: "f64", dtype: .f64, to: "Float")) {
            try f.floats("f64")
        }
        #expect(throws: SafeTensorsError.unsupportedConversion(path: f.path, tensor: "mask", dtype: .bool, to: "Int64")) {
            try f.int64s("mask")
        }
        #expect(throws: SafeTensorsError.unsupportedConversion(path: f.path, tensor: "f32", dtype: .f32, to: "Int64")) {
            try f.int64s("f32")
        }
        let mask = try f.withRawBytes("mask") { Array($0) }
        #expect(mask == [1, 0, 1])
    }

    @Test func missingFileIsAFileIOError() {
        let url = fixtureURL("does-not-exist.safetensors")
        #expect(throws: FileIOError.notFound(path: url.path)) { try SafeTensorsFile(url: url) }
    }
}

@Suite struct HalfPrecisionConversionTests {
    #if !(os(macOS) && arch(x86_64))
    /// All 65536 binary16 patterns against Swift's Float16 (NaNs: same sign and payload, quiet).
    @Test func everyF16PatternMatchesFloat16() {
        for bits in 0...UInt16.max {
            let got = floatFromHalfBits(bits)
            let want = Float(Float16(bitPattern: bits))
            if want.isNaN {
                #expect(got.isNaN && !got.isSignalingNaN && got.sign == want.sign, "\(bits)")
                #expect((got.bitPattern >> 13) & 0x1FF == UInt32(bits & 0x1FF), "payload of \(bits)")
            } else if got.bitPattern != want.bitPattern {
                Issue.record("F16 \(bits): \(got) vs \(want)")
                return
            }
        }
    }
    #endif

    @Test func bf16IsTheTopHalf() {
        #expect(floatFromBFloat16Bits(0x3F80) == 1)
        #expect(floatFromBFloat16Bits(0xC049).bitPattern == 0xC049_0000)
        #expect(floatFromBFloat16Bits(0x8000).sign == .minus)
    }
}

// MARK: - MiniLM

private struct Manifest: Decodable {
    struct Tensor: Decodable { let name: String; let dtype: String; let shape: [Int]; let data_offsets: [Int] }
    struct Sample: Decodable { let name: String; let indices: [Int]; let values: [Double] }
    let file_size: Int
    let header_length: Int
    let metadata: [String: String]
    let tensors: [Tensor]
    let samples: [Sample]
}

private let miniLMFile = TestPaths.miniLM.appendingPathComponent("model.safetensors")

@Suite(.enabled(if: TestPaths.exists(miniLMFile), "needs models/all-MiniLM-L6-v2 (Scripts/setup.sh)"))
struct MiniLMReadTests {
    private func manifest() throws -> Manifest {
        try JSONDecoder().decode(Manifest.self, from: fixtureData("minilm_manifest.json"))
    }

    @Test func everyTensorAsPythonListsIt() throws {
        let m = try manifest()
        let f = try SafeTensorsFile(url: miniLMFile)
        #expect(f.metadata == m.metadata)
        #expect(f.dataOffset == 8 + m.header_length)
        #expect(f.tensors.count == m.tensors.count)
        for (got, want) in zip(f.tensors, m.tensors) {
            #expect(got.name == want.name)
            #expect(got.dtype.rawValue == want.dtype, "\(want.name)")
            #expect(got.shape == want.shape, "\(want.name)")
            #expect(got.byteRange == want.data_offsets[0]..<want.data_offsets[1], "\(want.name)")
        }
    }

    @Test func sampledValues() throws {
        let m = try manifest()
        let f = try SafeTensorsFile(url: miniLMFile)
        for s in m.samples {
            if f.info(s.name)?.dtype == .i64 {
                let v = try f.int64s(s.name)
                #expect(s.indices.map { v[$0] } == s.values.map { Int64($0) }, "\(s.name)")
            } else {
                let v = try f.floats(s.name)
                #expect(s.indices.map { v[$0] } == s.values.map { Float($0) }, "\(s.name)")
            }
        }
    }

    @Test func rawRoundTripIsByteExact() throws {
        let original = try Data(contentsOf: miniLMFile)
        let f = try SafeTensorsFile(data: original, path: miniLMFile.path)
        let encoded = try f.withDataBuffer { buffer in
            let raw = f.tensors.map {
                SafeTensorsWriter.RawTensor(name: $0.name, dtype: $0.dtype, shape: $0.shape,
                                            bytes: UnsafeRawBufferPointer(rebasing: buffer[$0.byteRange]))
            }
            return try SafeTensorsWriter.encode(raw: raw, metadata: f.metadata)
        }
        #expect(encoded.count == original.count)
        #expect(encoded == original)
    }
}

private func hex(_ x: Float) -> String { "0x" + String(x.bitPattern, radix: 16) }
