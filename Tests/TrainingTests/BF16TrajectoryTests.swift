// bf16 training against fp32 (Kernels/Precision.swift): the same 5-step trajectory as
// TrajectoryTests (tiny BERT, PyTorch-recorded batches, dropout off, lr 1e-3) in each precision.
// A bf16 run is not the fp32 run rounded once: every product input carries up to 2⁻⁹ relative
// rounding, and AdamW turns small gradient differences into full-size steps for parameters whose
// gradients are near zero (the key biases, whose true gradient is exactly 0, and rare embedding
// rows). So the checks are on what training does, with documented tolerances:
//   - losses within 2% of PyTorch fp32 at every step (measured: ≤ 0.6%);
//   - the update of the weights (final − initial), over all trainable parameters but the key
//     biases, points the same way as fp32's: cosine ≥ 0.99 (measured 0.9985), and its size within 2% (measured 0.02%);
//   - native bf16 vs the reference bf16: the same rounded inputs with fp32 sums in another order;
//     a last-bit difference can flip a later rounding, so they agree to bf16 level only: losses
//     within 1% (measured ≤ 0.25%), update cosine ≥ 0.999 (measured 0.99992);
//   - a bf16 run repeated is bit-identical (fixed splits, fixed kernels on one machine).

import Foundation
import Kernels
import Models
import SafeTensors
import Testing
import TestSupport
import Tokenizers
import Training

@Suite struct BF16TrajectoryTests {
    /// Runs the recorded 5 steps in `precision`; returns the losses and the final parameters.
    static func trajectory(_ precision: Precision) throws -> (losses: [Float], weights: [Float], expected: [Float], io: SafeTensorsFile, encoder: Encoder) {
        let dir = TestPaths.fixture("bert/tiny")
        let config = try EncoderConfig.load(dir.appendingPathComponent("config.json"))
        let encoder = try Checkpoint.loadWeights(dir, config: config).0
        encoder.setPrecision(precision)
        let io = try SafeTensorsFile(url: TestPaths.fixture("bert/trajectory-mean.safetensors"))
        var options = TrainOptions.defaults(for: .sentence)
        options.batchSize = 4; options.learningRate = 1e-3; options.dropout = 0; options.temperature = 0.04
        options.pooling = .mean; options.maxLength = 8
        let trainer = try MirrorTrainer(encoder: encoder, tokenizer: IdsOnlyTokenizer(), options: options)
        let losses = try recordedSteps(trainer, io, padTokenId: config.padTokenId)
        return (losses, encoder.parameters.array, try io.floats("losses"), io, encoder)
    }

    @Test func fiveStepsStayWithinBF16ToleranceOfPyTorchReference() throws { try fiveSteps(.bf16Reference) }

    @Test(.enabled(if: Precision.hasNativeBF16, Comment(rawValue: Precision.nativeBF16Problem ?? "")))
    func fiveStepsStayWithinBF16ToleranceOfPyTorchNative() throws { try fiveSteps(.bf16) }

    func fiveSteps(_ precision: Precision) throws {
        let run = try Self.trajectory(precision)
        let l = closeness("losses", run.losses, run.expected, atol: 0, rtol: 2e-2)
        #expect(l.ok, "\(l)")
        #expect(run.losses != run.expected, "bf16 rounding should show in the losses")
        let reference = try Self.fp32Final(run.io, layout: run.encoder.layout)
        let (cosine, sizeRatio) = try Self.updateAgreement(run.weights, reference, layout: run.encoder.layout)
        print("bf16 trajectory (\(precision.rawValue)): losses \(run.losses) vs fp32 \(run.expected); update cosine \(cosine), size ratio \(sizeRatio)")
        #expect(cosine >= 0.99 && abs(sizeRatio - 1) <= 0.02)
    }

    /// PyTorch's fp32 final weights, laid out like the parameter block (untrainable entries 0).
    static func fp32Final(_ io: SafeTensorsFile, layout: ParameterLayout) throws -> [Float] {
        var out = [Float](repeating: 0, count: layout.totalCount)
        for e in layout.entries where e.trainable { out.replaceSubrange(e.range, with: try io.floats("final.\(e.name)")) }
        return out
    }

    /// Cosine and size ratio ‖a‖/‖b‖ of two runs' weight updates (final − the fixture's initial
    /// weights) over the trainable parameters but the key biases.
    static func updateAgreement(_ a: [Float], _ b: [Float], layout: ParameterLayout) throws -> (Double, Double) {
        let dir = TestPaths.fixture("bert/tiny")
        let initial = try Checkpoint.loadWeights(dir, config: try EncoderConfig.load(dir.appendingPathComponent("config.json"))).0
        var dot = 0.0, na = 0.0, nb = 0.0
        for e in layout.entries where e.trainable && !e.name.hasSuffix("key.bias") {
            for i in e.range {
                let ua = Double(a[i] - initial.parameters[i]), ub = Double(b[i] - initial.parameters[i])
                dot += ua * ub; na += ua * ua; nb += ub * ub
            }
        }
        return (dot / (na * nb).squareRoot(), (na / nb).squareRoot())
    }

    @Test(.enabled(if: Precision.hasNativeBF16, Comment(rawValue: Precision.nativeBF16Problem ?? "")))
    func nativeMatchesReferenceAndRepeatsBitForBit() throws {
        let native = try Self.trajectory(.bf16), again = try Self.trajectory(.bf16), reference = try Self.trajectory(.bf16Reference)
        #expect(native.losses == again.losses && native.weights == again.weights, "a repeated bf16 run is bit-identical")
        let l = closeness("losses", native.losses, reference.losses, atol: 0, rtol: 1e-2)
        #expect(l.ok, "\(l)")
        let (cosine, _) = try Self.updateAgreement(native.weights, reference.weights, layout: native.encoder.layout)
        print("bf16 native vs reference: losses \(native.losses) vs \(reference.losses); update cosine \(cosine)")
        #expect(cosine >= 0.999)
    }

    @Test func referenceRunRepeatsBitForBit() throws {
        let a = try Self.trajectory(.bf16Reference), b = try Self.trajectory(.bf16Reference)
        #expect(a.losses == b.losses && a.weights == b.weights)
    }
}
