// Tiny random-init models of each family recorded from PyTorch (Scripts/reference/
// record_bert_fixtures.py): BERT, RoBERTa, XLM-R and MPNet — every layer's output, the poolings,
// and every parameter's gradient for a padded batch, compared with atol 1e-5 + rtol 1e-4.

import Foundation
import Kernels
import Models
import SafeTensors
import Testing
import TestSupport

/// The fixture folders: "bert/tiny" and "bert/tiny-<family>".
let tinyFamilies = ["bert", "roberta", "xlm-roberta", "mpnet"]

struct TinyBert {
    let encoder: Encoder
    let io: SafeTensorsFile
    let input: EncoderInput

    init(_ family: String = "bert") throws {
        let name = family == "bert" ? "bert/tiny" : "bert/tiny-\(family)"
        let dir = TestPaths.fixture(name)
        let config = try EncoderConfig.load(dir.appendingPathComponent("config.json"))
        encoder = try Checkpoint.loadWeights(dir, config: config).0
        let io = try SafeTensorsFile(url: TestPaths.fixture(name + "-io.safetensors"))
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
    @Test(arguments: tinyFamilies)
    func everyLayerOutputMatchesPyTorch(_ family: String) throws {
        let t = try TinyBert(family)
        let ws = EncoderWorkspace(config: t.encoder.config, training: true)
        t.encoder.forward(t.input, workspace: ws)
        for l in -1..<t.encoder.config.layers {
            let c = closeness("hidden_states.\(l + 1)", ws.layerOutput(l, tokens: t.input.tokens),
                              try t.io.floats("hidden_states.\(l + 1)"))
            #expect(c.ok, "\(c)")
        }
    }

    @Test(arguments: tinyFamilies, Pooling.allCases)
    func poolingMatchesPyTorch(_ family: String, _ pooling: Pooling) throws {
        let t = try TinyBert(family)
        let ws = EncoderWorkspace(config: t.encoder.config, training: false)
        let hidden = t.encoder.forward(t.input, workspace: ws)
        let H = t.encoder.config.hiddenSize
        var out = [Float](repeating: 0, count: t.input.batch * H)
        t.input.keep.withUnsafeBufferPointer { keep in
            pooling.forward(&out, hidden: hidden, keep: keep.baseAddress!, offsets: t.input.offsets, lengths: t.input.lengths, hiddenSize: H)
        }
        let key = "pool." + pooling.rawValue.replacingOccurrences(of: "-", with: "_")
        let c = closeness(key, out, try t.io.floats(key))
        #expect(c.ok, "\(c)")
    }

    @Test(arguments: tinyFamilies)
    func everyParameterGradientMatchesPyTorch(_ family: String) throws {
        let t = try TinyBert(family)
        let grads = t.gradients(dHidden: try t.io.floats("dout"))
        let checks = try t.compareGradients(grads, tag: "last")
        #expect(checks.count == t.encoder.layout.entries.filter(\.trainable).count)
        for c in checks { #expect(c.ok, "\(c)") }
        // Relative error per tensor: max |ours − ref| / max |ref| (the tensor's scale), over tensors
        // whose gradient is not structurally zero (the key bias's is: softmax ignores row shifts).
        var worstRelative = 0.0
        for e in t.encoder.layout.entries where e.trainable {
            let ref = try t.io.floats("grad.last.\(e.name)")
            let scale = ref.map { abs(Double($0)) }.max() ?? 0
            var diff = 0.0
            for i in 0..<e.count { diff = max(diff, abs(Double(grads.pointer[e.offset + i]) - Double(ref[i]))) }
            if scale > 1e-6 { worstRelative = max(worstRelative, diff / scale) }
        }
        print("\(family): worst gradient tolerance ratio \(checks.map(\.worstRatio).max() ?? 0), max |diff| \(checks.map(\.maxAbsDiff).max() ?? 0), worst relative error \(worstRelative)")
        // The pooler is not on the loss path: PyTorch leaves its gradient None, ours stays zero.
        let pooler = t.encoder.layout.entry("pooler.dense.weight")!
        #expect((0..<pooler.count).allSatisfy { grads.pointer[pooler.offset + $0] == 0 })
    }

    @Test(arguments: tinyFamilies, Pooling.allCases)
    func poolingGradientsMatchPyTorch(_ family: String, _ pooling: Pooling) throws {
        let t = try TinyBert(family)
        let tag = pooling.rawValue.replacingOccurrences(of: "-", with: "_")
        let H = t.encoder.config.hiddenSize
        let dpool = try t.io.floats("dpool.\(tag)")
        var dHidden = [Float](repeating: 0, count: t.input.tokens * H)
        t.input.keep.withUnsafeBufferPointer { keep in
            pooling.backward(&dHidden, dOut: dpool, keep: keep.baseAddress!, offsets: t.input.offsets, lengths: t.input.lengths, hiddenSize: H)
        }
        let grads = t.gradients(dHidden: dHidden)
        for c in try t.compareGradients(grads, tag: tag) { #expect(c.ok, "\(c)") }
    }

    @Test(arguments: tinyFamilies)
    func inferenceAndTrainingWorkspacesAgree(_ family: String) throws {
        let t = try TinyBert(family)
        let a = EncoderWorkspace(config: t.encoder.config, training: false)
        let b = EncoderWorkspace(config: t.encoder.config, training: true)
        let n = t.input.tokens * t.encoder.config.hiddenSize
        let ha = Array(UnsafeBufferPointer(start: t.encoder.forward(t.input, workspace: a), count: n))
        let hb = Array(UnsafeBufferPointer(start: t.encoder.forward(t.input, workspace: b), count: n))
        #expect(ha == hb)
    }
}

@Suite struct RelativePositionBucketTests {
    @Test func bucketsMatchTransformers() throws {
        let io = try SafeTensorsFile(url: TestPaths.fixture("bert/mpnet-buckets.safetensors"))
        let relative = try io.int64s("relative"), expected = try io.int64s("bucket")
        let ours = relative.map { Int64(RelativePositionBias.bucket(Int($0), buckets: 32)) }
        #expect(ours == expected)
    }
}

@Suite struct RecomputeTests {
    /// Recomputing activations in the backward pass gives bit-identical gradients, noise included.
    @Test(arguments: tinyFamilies)
    func recomputedGradientsEqualStoredOnes(_ family: String) throws {
        let t = try TinyBert(family)
        let noise = Noise(hiddenDropout: 0.1, attentionDropout: 0.1, drophead: 0.2, seed: 5)
        let dout = try t.io.floats("dout")
        func gradients(recompute: Bool) -> [Float] {
            let ws = EncoderWorkspace(config: t.encoder.config, training: true, recompute: recompute)
            t.encoder.forward(t.input, workspace: ws, noise: noise)
            let g = FloatBuffer(count: t.encoder.layout.totalCount)
            t.encoder.backward(t.input, dHidden: dout, workspace: ws, gradients: g, noise: noise)
            return g.array
        }
        let stored = gradients(recompute: false), recomputed = gradients(recompute: true)
        #expect(stored == recomputed)
        #expect(stored.contains { $0 != 0 })
    }
}

@Suite struct PackedLayoutTests {
    /// The fixture batch without its padding: each row exactly its real tokens.
    func packed(_ t: TinyBert) throws -> EncoderInput {
        var lengths: [Int] = [], ids: [Int32] = [], types: [Int32] = []
        for b in 0..<t.input.batch {
            let n = t.input.realLength(b), start = t.input.offsets[b]
            lengths.append(n)
            ids += t.input.ids[start..<(start + n)]
            types += t.input.typeIds[start..<(start + n)]
        }
        return try EncoderInput(lengths: lengths, ids: ids, typeIds: types,
                                attentionMask: [Int32](repeating: 1, count: ids.count), config: t.encoder.config)
    }

    /// Packing rows without padding gives PyTorch's padded results for the poolings that ignore
    /// padding: outputs and every parameter gradient.
    @Test(arguments: tinyFamilies, [Pooling.cls, .meanMasked])
    func packedRowsMatchThePaddedReference(_ family: String, _ pooling: Pooling) throws {
        let t = try TinyBert(family)
        let input = try packed(t)
        let H = t.encoder.config.hiddenSize
        let ws = EncoderWorkspace(config: t.encoder.config, training: true)
        let hidden = t.encoder.forward(input, workspace: ws)
        var out = [Float](repeating: 0, count: input.batch * H)
        pooling.forward(&out, hidden: hidden, input: input, hiddenSize: H)
        let tag = pooling.rawValue.replacingOccurrences(of: "-", with: "_")
        let c = closeness("packed pool.\(tag)", out, try t.io.floats("pool.\(tag)"))
        #expect(c.ok, "\(c)")
        var dHidden = [Float](repeating: 0, count: input.tokens * H)
        pooling.backward(&dHidden, dOut: try t.io.floats("dpool.\(tag)"), input: input, hiddenSize: H)
        let grads = FloatBuffer(count: t.encoder.layout.totalCount)
        t.encoder.backward(input, dHidden: dHidden, workspace: ws, gradients: grads)
        for c in try t.compareGradients(grads, tag: tag) { #expect(c.ok, "packed \(c)") }
    }
}
