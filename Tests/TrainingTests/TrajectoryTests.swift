// A 5-step Mirror-BERT trajectory on the tiny BERT (and tiny MPNet and RoBERTa), recorded from PyTorch
// (Scripts/reference/record_bert_fixtures.py): dropout off, fixed token batches, NT-Xent from
// pytorch-metric-learning, torch.optim.AdamW (lr 1e-3 so the weights move). The losses of every
// step and every final weight must match to ≤1e-4 relative.

import Foundation
import Kernels
import Models
import SafeTensors
import Testing
import TestSupport
import Tokenizers
import Training

/// A stand-in for tests that feed token ids directly.
struct IdsOnlyTokenizer: Tokenizer {
    func encode(_ text: String, maxLength: Int?) -> Encoding { preconditionFailure("ids only") }
    var vocabularySize: Int { 99 }
    var padTokenId: Int32 { 0 }
    var maskToken: String { "[MASK]" }
    var unknownToken: String { "[UNK]" }
    var kind: String { "ids only" }
    func id(of token: String) -> Int32? { nil }
    func token(of id: Int32) -> String? { nil }
    var specialTokenCount: Int { 2 }
    var declaredMaxLength: Int? { nil }
}

func tokenBatch(ids: [Int32], mask: [Int32], rows: Int, sequence: Int, pad: Int32 = 0) -> TokenBatch {
    let encodings = (0..<rows).map { r -> Encoding in
        let n = (0..<sequence).filter { mask[r * sequence + $0] != 0 }.count
        let rowIds = Array(ids[(r * sequence)..<(r * sequence + n)])
        return Encoding(ids: rowIds, typeIds: [Int32](repeating: 0, count: n), tokens: rowIds.map { "\($0)" })
    }
    return TokenBatch(encodings, padding: .fixed(sequence), padTokenId: pad)
}

/// Runs the recording's 5 token batches (`step.N.input_ids`, `step.N.attention_mask`) through
/// `trainer`; returns each step's loss.
func recordedSteps(_ trainer: MirrorTrainer, _ io: SafeTensorsFile, padTokenId: Int) throws -> [Float] {
    var losses: [Float] = []
    for step in 0..<5 {
        let shape = io.info("step.\(step).input_ids")!.shape
        let ids = try io.int64s("step.\(step).input_ids").map { Int32($0) }
        let mask = try io.int64s("step.\(step).attention_mask").map { Int32($0) }
        let batch = tokenBatch(ids: ids, mask: mask, rows: shape[0], sequence: shape[1], pad: Int32(padTokenId))
        losses.append(try trainer.step(tokens: batch).loss)
    }
    return losses
}

@Suite struct TrajectoryTests {
    @Test(arguments: [("bert", Pooling.mean, Float(0.04)), ("bert", .cls, 0.2), ("mpnet", .mean, 0.04), ("roberta", .cls, 0.04)])
    func fiveStepsMatchPyTorch(family: String, pooling: Pooling, tau: Float) throws {
        let dir = TestPaths.fixture(family == "bert" ? "bert/tiny" : "bert/tiny-\(family)")
        let config = try EncoderConfig.load(dir.appendingPathComponent("config.json"))
        let encoder = try Checkpoint.loadWeights(dir, config: config).0
        let name = family == "bert" ? "trajectory-\(pooling.rawValue)" : "trajectory-\(family)-\(pooling.rawValue)"
        let io = try SafeTensorsFile(url: TestPaths.fixture("bert/\(name).safetensors"))
        var options = TrainOptions.defaults(for: .sentence)
        options.batchSize = 4
        options.learningRate = 1e-3
        options.dropout = 0
        options.temperature = tau
        options.pooling = pooling
        options.maxLength = 8
        let trainer = try MirrorTrainer(encoder: encoder, tokenizer: IdsOnlyTokenizer(), options: options)
        let expected = try io.floats("losses")
        let losses = try recordedSteps(trainer, io, padTokenId: config.padTokenId)
        let l = closeness("losses", losses, expected, atol: 0, rtol: 1e-4)
        #expect(l.ok, "\(l)")
        var worst = 0.0
        for e in encoder.layout.entries where e.trainable {
            let ours = Array(UnsafeBufferPointer(start: encoder.parameters.pointer + e.offset, count: e.count))
            // The key bias's true gradient is exactly zero (softmax is invariant to a per-row
            // shift), so both frameworks see only rounding noise (~1e-9) there, which Adam turns
            // into steps of up to lr each: only that bound (5 steps × lr, both sides) can hold.
            let isKeyBias = e.name.hasSuffix("key.bias") || e.name.hasSuffix("attn.k.bias")
            let atol = isKeyBias ? 2 * 5 * options.learningRate : 1e-6
            let c = closeness("final.\(e.name)", ours, try io.floats("final.\(e.name)"), atol: atol, rtol: 1e-4)
            if isKeyBias { #expect(c.ok, "\(c)"); continue }
            worst = max(worst, c.worstRatio)
            #expect(c.ok, "\(c)")
        }
        print("trajectory \(family) \(pooling.rawValue): losses \(losses) vs \(expected); worst weight tolerance ratio \(worst)")
    }

    @Test func sameSeedGivesBitIdenticalWeightsAndDropoutChangesThem() throws {
        let dir = TestPaths.fixture("bert/tiny")
        let config = try EncoderConfig.load(dir.appendingPathComponent("config.json"))
        let io = try SafeTensorsFile(url: TestPaths.fixture("bert/trajectory-mean.safetensors"))
        let shape = io.info("step.0.input_ids")!.shape
        let batch = tokenBatch(ids: try io.int64s("step.0.input_ids").map { Int32($0) },
                               mask: try io.int64s("step.0.attention_mask").map { Int32($0) },
                               rows: shape[0], sequence: shape[1])
        func run(seed: UInt64, drophead: Float) throws -> [Float] {
            let encoder = try Checkpoint.loadWeights(dir, config: config).0
            var options = TrainOptions.defaults(for: .sentence)
            options.batchSize = 4; options.maxLength = 8; options.seed = seed; options.drophead = drophead
            let trainer = try MirrorTrainer(encoder: encoder, tokenizer: IdsOnlyTokenizer(), options: options)
            for _ in 0..<3 { _ = try trainer.step(tokens: batch) }
            return encoder.parameters.array
        }
        let a = try run(seed: 7, drophead: 0.2), b = try run(seed: 7, drophead: 0.2), c = try run(seed: 8, drophead: 0.2)
        #expect(a == b, "same seed, same weights")
        #expect(a != c, "another seed draws other dropout masks")
    }
}
