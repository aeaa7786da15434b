// The tiny random-init BERT recorded from PyTorch (Scripts/reference/record_bert_fixtures.py):
// every layer's output, the poolings, and every parameter's gradient for a padded batch,
// compared with atol 1e-5 + rtol 1e-4.

import Foundation
import Kernels
import Models
import SafeTensors
import Testing
import TestSupport

struct TinyBert {
    let encoder: Encoder
    let io: SafeTensorsFile
    let input: EncoderInput

    init() throws {
        let dir = TestPaths.fixture("bert/tiny")
        let config = try EncoderConfig.load(dir.appendingPathComponent("config.json"))
        encoder = try Checkpoint.loadWeights(dir, config: config).0
        let io = try SafeTensorsFile(url: TestPaths.fixture("bert/tiny-io.safetensors"))
        self.io = io
        let shape = io.info("input_ids")!.shape
        func ints(_ name: String) throws -> [Int32] { try io.int64s(name).map { Int32($0) } }
        input = try EncoderInput(batch: shape[0], sequence: shape[1], ids: try ints("input_ids"),
                                 typeIds: try ints("token_type_ids"), attentionMask: try ints("attention_mask"),
                                 config: config)
    }

    /// Gradient block after backpropagating dHidden through a fresh forward pass.
    func gradients(dHidden: [Float]) -> FloatBuffer {
        let ws = EncoderWorkspace(config: encoder.config, training: true)
        encoder.forward(input, workspace: ws)
        let grads = FloatBuffer(count: encoder.layout.totalCount)
        encoder.backward(input, dHidden: dHidden, workspace: ws, gradients: grads)
        return grads
    }

    /// Compares every recorded "grad.<tag>.<name>" with our gradient block; returns the checks.
    func compareGradients(_ grads: FloatBuffer, tag: String) throws -> [Closeness] {
        var checks: [Closeness] = []
        for e in encoder.layout.entries where e.trainable {
            let key = "grad.\(tag).\(e.name)"
            guard io.info(key) != nil else {
                checks.append(closeness(key + " (missing in fixture)", [Float](), [Float](repeating: 0, count: 1)))
                continue
            }
            let ours = Array(UnsafeBufferPointer(start: grads.pointer + e.offset, count: e.count))
            checks.append(closeness(key, ours, try io.floats(key)))
        }
        return checks
    }
}

@Suite struct TinyBertParityTests {
    @Test func everyLayerOutputMatchesPyTorch() throws {
        let t = try TinyBert()
        let ws = EncoderWorkspace(config: t.encoder.config, training: true)
        t.encoder.forward(t.input, workspace: ws)
        for l in -1..<t.encoder.config.layers {
            let c = closeness("hidden_states.\(l + 1)", ws.layerOutput(l, tokens: t.input.tokens),
                              try t.io.floats("hidden_states.\(l + 1)"))
            #expect(c.ok, "\(c)")
        }
    }

    @Test(arguments: Pooling.allCases)
    func poolingMatchesPyTorch(_ pooling: Pooling) throws {
        let t = try TinyBert()
        let ws = EncoderWorkspace(config: t.encoder.config, training: false)
        let hidden = t.encoder.forward(t.input, workspace: ws)
        let H = t.encoder.config.hiddenSize
        var out = [Float](repeating: 0, count: t.input.batch * H)
        t.input.keep.withUnsafeBufferPointer { keep in
            pooling.forward(&out, hidden: hidden, keep: keep.baseAddress!, batch: t.input.batch,
                            sequence: t.input.sequence, hiddenSize: H)
        }
        let key = "pool." + pooling.rawValue.replacingOccurrences(of: "-", with: "_")
        let c = closeness(key, out, try t.io.floats(key))
        #expect(c.ok, "\(c)")
    }

    @Test func everyParameterGradientMatchesPyTorch() throws {
        let t = try TinyBert()
        let grads = t.gradients(dHidden: try t.io.floats("dout"))
        let checks = try t.compareGradients(grads, tag: "last")
        #expect(checks.count == t.encoder.layout.entries.filter(\.trainable).count)
        for c in checks { #expect(c.ok, "\(c)") }
        // The pooler is not on the loss path: PyTorch leaves its gradient None, ours stays zero.
        let pooler = t.encoder.layout.entry("pooler.dense.weight")!
        #expect((0..<pooler.count).allSatisfy { grads.pointer[pooler.offset + $0] == 0 })
    }

    @Test(arguments: Pooling.allCases)
    func poolingGradientsMatchPyTorch(_ pooling: Pooling) throws {
        let t = try TinyBert()
        let tag = pooling.rawValue.replacingOccurrences(of: "-", with: "_")
        let H = t.encoder.config.hiddenSize
        let dpool = try t.io.floats("dpool.\(tag)")
        var dHidden = [Float](repeating: 0, count: t.input.tokens * H)
        t.input.keep.withUnsafeBufferPointer { keep in
            pooling.backward(&dHidden, dOut: dpool, keep: keep.baseAddress!, batch: t.input.batch,
                             sequence: t.input.sequence, hiddenSize: H)
        }
        let grads = t.gradients(dHidden: dHidden)
        for c in try t.compareGradients(grads, tag: tag) { #expect(c.ok, "\(c)") }
    }

    @Test func inferenceAndTrainingWorkspacesAgree() throws {
        let t = try TinyBert()
        let a = EncoderWorkspace(config: t.encoder.config, training: false)
        let b = EncoderWorkspace(config: t.encoder.config, training: true)
        let n = t.input.tokens * t.encoder.config.hiddenSize
        let ha = Array(UnsafeBufferPointer(start: t.encoder.forward(t.input, workspace: a), count: n))
        let hb = Array(UnsafeBufferPointer(start: t.encoder.forward(t.input, workspace: b), count: n))
        #expect(ha == hb)
    }
}
