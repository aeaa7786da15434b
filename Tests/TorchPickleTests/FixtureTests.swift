// Files written by torch.save (Scripts/reference/record_torchpickle_fixtures.py) read exactly:
// every tensor's dtype, shape and bytes equal what torch.load returned, recorded contiguous in
// expected.safetensors under "<file>/<name>".

import Foundation
import SafeTensors
import Testing
import TestSupport
@testable import TorchPickle

private let files = ["tiny-bert/pytorch_model.bin", "hf4_mlm.bin", "dtypes.bin", "views.bin", "protocol4.bin",
                     "no_crc.bin", "big_endian.bin", "zip64.bin"]

@Suite struct FixtureTests {
    let expected: SafeTensorsFile

    init() throws { expected = try SafeTensorsFile(url: Fixture.url("expected.safetensors")) }

    @Test(arguments: files)
    func everyTensorBitEqualToTorch(_ file: String) throws {
        let ckpt = try TorchCheckpoint(url: Fixture.url(file))
        let recorded = expected.tensors.filter { $0.name.hasPrefix(file + "/") }.map { String($0.name.dropFirst(file.count + 1)) }
        #expect(Set(ckpt.tensors.map(\.name)) == Set(recorded))
        #expect(ckpt.tensors.count == recorded.count, "no name twice")
        for t in ckpt.tensors {
            let key = "\(file)/\(t.name)"
            let e = try #require(expected.info(key))
            #expect(t.dtype == e.dtype, "\(key)")
            #expect(t.shape == e.shape, "\(key)")
            let ours = try ckpt.withContiguousBytes(t.name) { Array($0) }
            let theirs = try expected.withRawBytes(key) { Array($0) }
            #expect(ours == theirs, "\(key): bytes differ")
            if [.f32, .f16, .bf16].contains(t.dtype) {
                let a = try ckpt.floats(t.name).map(\.bitPattern)
                let b = try expected.floats(key).map(\.bitPattern)
                #expect(a == b, "\(key): floats differ")
            }
        }
    }

    @Test func stateDictOrderIsKept() throws {
        let views = try TorchCheckpoint(url: Fixture.url("views.bin"))
        #expect(views.tensors.map(\.name) == ["base", "transposed", "row_slice", "col_slice", "strided", "broadcast",
                                             "param", "param_f16"])
        let bert = try TorchCheckpoint(url: Fixture.url("tiny-bert/pytorch_model.bin"))
        #expect(bert.tensors.first?.name == "embeddings.word_embeddings.weight")
        #expect(bert.tensors.last?.name == "pooler.dense.bias")
        #expect(bert.tensors.count == 39)
    }

    @Test func viewsKeepTheirLayout() throws {
        let c = try TorchCheckpoint(url: Fixture.url("views.bin"))
        let base = try #require(c.info("base")), t = try #require(c.info("transposed"))
        #expect(t.storageKey == base.storageKey && t.shape == [6, 4] && t.strides == [1, 6] && !t.isContiguous)
        #expect(c.info("row_slice")?.storageOffset == 6 && c.info("row_slice")?.isContiguous == true)
        #expect(c.info("col_slice")?.storageOffset == 2 && c.info("col_slice")?.strides == [6, 1])
        #expect(c.info("broadcast")?.strides == [0, 1])
        #expect(c.info("param")?.dtype == .f32 && c.info("param_f16")?.dtype == .f16)
        // base = arange(24) * 0.25 - 1 as (4, 6): transposed[i][j] = base[j][i].
        let values = try c.floats("transposed")
        for i in 0..<6 { for j in 0..<4 { #expect(values[i * 4 + j] == Float(j * 6 + i) * 0.25 - 1) } }
    }

    @Test func tiedWeightsShareOneStorage() throws {
        let c = try TorchCheckpoint(url: Fixture.url("hf4_mlm.bin"))
        let word = try #require(c.info("bert.embeddings.word_embeddings.weight"))
        let decoder = try #require(c.info("cls.predictions.decoder.weight"))
        #expect(word.storageKey == decoder.storageKey)
        #expect(try c.floats(word.name) == c.floats(decoder.name))
        #expect(c.info("cls.predictions.decoder.bias")?.storageKey == c.info("cls.predictions.bias")?.storageKey)
        let positions = try #require(c.info("bert.embeddings.position_ids"))
        #expect(positions.dtype == .i64 && positions.shape == [1, 40])
        #expect(try c.int64s(positions.name) == (0..<40).map(Int64.init))
    }

    @Test func bigEndianArchiveIsSwapped() throws {
        let c = try TorchCheckpoint(url: Fixture.url("big_endian.bin"))
        #expect(c.isBigEndian)
        #expect(try c.int64s("i64") == [1, -2, 1 << 50])
    }

    @Test func readingRefusesBadRequests() throws {
        let c = try TorchCheckpoint(url: Fixture.url("dtypes.bin"))
        #expect(throws: TorchPickleError.tensorNotFound(path: c.path, tensor: "nope")) { try c.floats("nope") }
        #expect(throws: TorchPickleError.unsupportedConversion(path: c.path, tensor: "i64", dtype: .i64, to: "Float")) {
            try c.floats("i64")
        }
        #expect(throws: TorchPickleError.unsupportedConversion(path: c.path, tensor: "f64", dtype: .f64, to: "Float")) {
            try c.floats("f64")
        }
        #expect(throws: TorchPickleError.unsupportedConversion(path: c.path, tensor: "f32", dtype: .f32, to: "Int64")) {
            try c.int64s("f32")
        }
        var small = [Float](repeating: 0, count: 3)
        #expect(throws: TorchPickleError.destinationSizeMismatch(path: c.path, tensor: "f32", expected: 15, actual: 3)) {
            try small.withUnsafeMutableBufferPointer { try c.readFloats("f32", into: $0) }
        }
        #expect(try c.floats("scalar") == [3.5])
        #expect(try c.floats("empty").isEmpty && c.info("empty")?.shape == [0, 4])
        #expect(try c.int64s("bool") == [1, 0, 1])
    }

    @Test func missingFileIsAFileError() {
        #expect(throws: (any Error).self) { try TorchCheckpoint(url: Fixture.url("does-not-exist.bin")) }
    }
}
