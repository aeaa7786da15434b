// Checkpoint folders holding pytorch_model.bin instead of model.safetensors (fixtures from
// Scripts/reference/record_torchpickle_fixtures.py): the same strict loading, the same weights
// and the same encoder outputs as the safetensors of the same model.

import Foundation
import Kernels
import Models
import SafeTensors
import Testing
import TestSupport

private let binFolder = TestPaths.fixture("torchpickle/tiny-bert")
private let texts = ["the quick brown fox", "", "hello world, hello again", "a"]

/// A folder with the tiny model's config and tokenizer plus `weights` (file name → source).
private func folder(in tmp: TemporaryDirectory, _ weights: [String: URL]) throws -> URL {
    let dir = tmp.file("model-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    for name in ["config.json", "tokenizer.json"] {
        try FileManager.default.copyItem(at: binFolder.appendingPathComponent(name), to: dir.appendingPathComponent(name))
    }
    for (name, src) in weights { try FileManager.default.copyItem(at: src, to: dir.appendingPathComponent(name)) }
    return dir
}

/// model.safetensors written from the tensors torch.load returned for the tiny model (recorded in
/// expected.safetensors as "tiny-bert/pytorch_model.bin/<name>").
private func safetensorsOfTinyBert(at url: URL) throws {
    let expected = try SafeTensorsFile(url: TestPaths.fixture("torchpickle/expected.safetensors"))
    let prefix = "tiny-bert/pytorch_model.bin/"
    let names = expected.tensors.map(\.name).filter { $0.hasPrefix(prefix) }
    let values = try names.map { try expected.floats($0) }
    var tensors: [SafeTensorsWriter.FloatTensor] = []
    var buffers: [UnsafeMutableBufferPointer<Float>] = []
    defer { buffers.forEach { $0.deallocate() } }
    for (name, v) in zip(names, values) {
        let b = UnsafeMutableBufferPointer<Float>.allocate(capacity: v.count)
        _ = b.initialize(from: v)
        buffers.append(b)
        tensors.append((name: String(name.dropFirst(prefix.count)), shape: expected.info(name)!.shape, data: UnsafeBufferPointer(b)))
    }
    try SafeTensorsWriter.write(tensors, metadata: ["format": "pt"], to: url)
}

private func parameters(_ c: Checkpoint) -> [Float] {
    Array(UnsafeBufferPointer(start: c.encoder.parameters.pointer, count: c.encoder.layout.totalCount))
}

@Suite struct PyTorchWeightsTests {
    @Test func binFolderGivesTheSameModelAsSafetensors() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        let st = try folder(in: tmp, [:])
        try safetensorsOfTinyBert(at: st.appendingPathComponent("model.safetensors"))
        let fromBin = try Checkpoint.load(binFolder)
        let fromST = try Checkpoint.load(st)
        #expect(fromBin.encoder.layout.entries.map(\.name) == fromST.encoder.layout.entries.map(\.name))
        #expect(fromBin.encoder.layout.hasPooler)
        #expect(parameters(fromBin).map(\.bitPattern) == parameters(fromST).map(\.bitPattern))
        #expect(fromBin.ignoredTensors.isEmpty)
        for pooling in Pooling.allCases {
            let options = EmbedOptions(pooling: pooling, maxLength: 32, batchSize: 3)
            let a = try Embedder(fromBin, options: options).embed(texts)
            let b = try Embedder(fromST, options: options).embed(texts)
            #expect(a == b, "\(pooling)")
        }
    }

    @Test func transformers4MaskedLMCheckpointLoads() throws {
        // "bert." prefixes, int64 position_ids, an MLM head tied to the word embeddings, no pooler.
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        let dir = try folder(in: tmp, ["pytorch_model.bin": TestPaths.fixture("torchpickle/hf4_mlm.bin")])
        let mlm = try Checkpoint.load(dir)
        #expect(!mlm.encoder.layout.hasPooler)
        #expect(mlm.ignoredTensors.contains("bert.embeddings.position_ids"))
        #expect(mlm.ignoredTensors.contains("cls.predictions.decoder.weight"))
        #expect(mlm.ignoredTensors.count == 8)
        let base = try Checkpoint.load(binFolder)
        for e in mlm.encoder.layout.entries {
            let o = base.encoder.layout.entry(e.name)!
            let a = Array(UnsafeBufferPointer(start: mlm.encoder.parameters.pointer + e.offset, count: e.count))
            let b = Array(UnsafeBufferPointer(start: base.encoder.parameters.pointer + o.offset, count: o.count))
            #expect(a == b, "\(e.name)")
        }
        let options = EmbedOptions(pooling: .meanMasked, maxLength: 32, batchSize: 4)
        #expect(try Embedder(mlm, options: options).embed(texts) == Embedder(base, options: options).embed(texts))
    }

    @Test func safetensorsWinsWhenBothArePresent() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        // A pytorch_model.bin that would not load next to a model.safetensors that does.
        let dir = try folder(in: tmp, ["pytorch_model.bin": TestPaths.fixture("torchpickle/malicious/os_system.bin")])
        try safetensorsOfTinyBert(at: dir.appendingPathComponent("model.safetensors"))
        #expect(try Checkpoint.load(dir).encoder.layout.totalCount > 0)
    }

    @Test func strictChecksApplyToBinFiles() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        let dir = try folder(in: tmp, ["pytorch_model.bin": TestPaths.fixture("torchpickle/views.bin")])
        let bin = dir.appendingPathComponent("pytorch_model.bin").path
        do {
            _ = try Checkpoint.load(dir)
            Issue.record("views.bin loaded as a BERT")
        } catch let e as ModelError {
            guard case let .unexpectedParameter(path, _) = e else { Issue.record("\(e)"); return }
            #expect(path == bin)
        }
        // The vocab-99 config of Fixtures/bert/tiny against the vocab-280 weights.
        let config = try EncoderConfig.load(TestPaths.fixture("bert/tiny/config.json"))
        #expect(throws: ModelError.shapeMismatch(path: binFolder.appendingPathComponent("pytorch_model.bin").path,
                                                 name: "embeddings.word_embeddings.weight", expected: [99, 32], found: [280, 32])) {
            _ = try Checkpoint.loadWeights(binFolder, config: config)
        }
    }

    @Test func unsafeBinIsRefusedWithItsReason() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        let dir = try folder(in: tmp, ["pytorch_model.bin": TestPaths.fixture("torchpickle/malicious/os_system.bin")])
        do {
            _ = try Checkpoint.load(dir)
            Issue.record("a pickle calling os.system was accepted")
        } catch {
            let message = "\(error)"
            #expect(message.contains("pytorch_model.bin") && message.contains("os.system") && message.contains("refused"), "\(message)")
        }
    }

    @Test func missingWeightsNameBothFormats() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        let dir = try folder(in: tmp, [:])
        #expect(throws: ModelError.missingFile(path: dir.appendingPathComponent("model.safetensors").path,
                                               what: "model.safetensors (or pytorch_model.bin)")) {
            _ = try Checkpoint.load(dir)
        }
    }
}
