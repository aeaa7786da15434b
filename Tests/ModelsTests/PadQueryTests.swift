// Pad queries (EncoderInput(packing:padQueries:…)): rows packed with some of their padding
// positions as query-only tokens, weighted in `mean` pooling. With every padding position kept
// they give the padded batch's mean and gradients; with fewer, the layout is checked token by token.

import Foundation
import Kernels
@testable import Models
import Testing
import TestSupport
import Tokenizers

@Suite struct PadQueryTests {
    /// The fixture's padded rows as encodings (real tokens only) and the pad id the padding holds.
    func encodings(_ t: TinyBert) throws -> (rows: [Encoding], pad: Int32) {
        let pad = Int32(t.encoder.config.padTokenId)
        var rows: [Encoding] = []
        for b in 0..<t.input.batch {
            let n = t.input.realLength(b), start = t.input.offsets[b], end = start + t.input.lengths[b]
            // The padded reference pads with (pad id, type 0, masked) after the real tokens.
            for i in start..<end {
                try #require((t.input.keep[i] != 0) == (i < start + n))
                if i >= start + n { try #require(t.input.ids[i] == pad && t.input.typeIds[i] == 0) }
            }
            let ids = Array(t.input.ids[start..<(start + n)]), types = Array(t.input.typeIds[start..<(start + n)])
            rows.append(Encoding(ids: ids, typeIds: types, tokens: ids.map { "\($0)" }))
        }
        return (rows, pad)
    }

    /// `mean` over `input` and the parameter gradients of Σ pooled ⊙ dPool (the fixture's random
    /// upstream gradient), dropout off.
    func meanAndGradients(_ t: TinyBert, _ input: EncoderInput, dPool: [Float]) -> (pooled: [Float], gradients: [Float]) {
        let H = t.encoder.config.hiddenSize
        let ws = EncoderWorkspace(config: t.encoder.config, training: true)
        let hidden = t.encoder.forward(input, workspace: ws)
        var pooled = [Float](repeating: 0, count: input.batch * H)
        Pooling.mean.forward(&pooled, hidden: hidden, input: input, hiddenSize: H)
        var dHidden = [Float](repeating: 0, count: input.tokens * H)
        Pooling.mean.backward(&dHidden, dOut: dPool, input: input, hiddenSize: H)
        let grads = FloatBuffer(count: t.encoder.layout.totalCount)
        t.encoder.backward(input, dHidden: dHidden, workspace: ws, gradients: grads)
        return (pooled, grads.array)
    }

    /// K ≥ T: every padding position is a pad query of weight 1, so the packed rows give the padded
    /// batch's `mean` and every parameter gradient (BERT: positions L ..< T; RoBERTa: padding_idx).
    @Test(arguments: ["bert", "roberta"])
    func allPaddingAsQueriesGivesThePaddedMean(_ family: String) throws {
        let t = try TinyBert(family)
        let (rows, pad) = try encodings(t)
        let T = t.input.sequence
        let input = try EncoderInput(packing: rows, padQueries: T, paddedLength: T, padTokenId: pad, config: t.encoder.config)
        // The same tokens as the padded batch, in the same order: only the key mask's extent differs.
        #expect(input.lengths == t.input.lengths)
        #expect(input.ids == t.input.ids && input.typeIds == t.input.typeIds && input.keep == t.input.keep)
        #expect(input.positions == t.input.positions)
        #expect(input.poolingWeights == [Float](repeating: 1, count: input.tokens))

        let dPool = try t.io.floats("dpool.mean")
        let padded = meanAndGradients(t, t.input, dPool: dPool), queries = meanAndGradients(t, input, dPool: dPool)
        let pooled = closeness("pooled mean", queries.pooled, padded.pooled, atol: 1e-7, rtol: 1e-5)
        #expect(pooled.ok, "\(pooled)")
        let reference = closeness("pooled mean vs PyTorch", queries.pooled, try t.io.floats("pool.mean"))
        #expect(reference.ok, "\(reference)")
        for e in t.encoder.layout.entries where e.trainable {
            let range = e.offset..<(e.offset + e.count)
            let scale = padded.gradients[range].map { abs(Double($0)) }.max() ?? 0
            let c = closeness("grad \(e.name)", queries.gradients[range], padded.gradients[range],
                              atol: 1e-6 * max(scale, 1e-6), rtol: 1e-5)
            #expect(c.ok, "\(c)")
        }
        #expect(queries.gradients.contains { $0 != 0 })
    }

    /// Small K: a pad query's last hidden state is the padded batch's at its position (it sees only
    /// the row's real tokens and its own position), and real tokens' states are unchanged, so the
    /// weighted mean is Σ real + (T − L)/k · Σ chosen padding, over T, of the padded states.
    @Test(arguments: ["bert", "roberta"])
    func padQueriesHaveThePaddedHiddenStates(_ family: String) throws {
        let t = try TinyBert(family)
        let (rows, pad) = try encodings(t)
        let T = t.input.sequence, H = t.encoder.config.hiddenSize, K = 3
        let input = try EncoderInput(packing: rows, padQueries: K, paddedLength: T, padTokenId: pad, config: t.encoder.config)
        #expect(input.tokens < t.input.tokens)
        let ws = EncoderWorkspace(config: t.encoder.config, training: false)
        let padded = Array(UnsafeBufferPointer(start: t.encoder.forward(t.input, workspace: ws), count: t.input.tokens * H))
        let hidden = t.encoder.forward(input, workspace: ws)
        var ours: [Float] = [], expected: [Float] = [], expectedMean: [Float] = []
        for b in 0..<input.batch {
            let L = rows[b].ids.count
            let slots = Array(0..<L) + EncoderInput.padQuerySlots(realLength: L, paddedLength: T, count: min(K, T - L))
            #expect(slots.count == input.lengths[b])
            var mean = [Double](repeating: 0, count: H)
            for (i, p) in slots.enumerated() {
                let row = hidden + (input.offsets[b] + i) * H
                ours += UnsafeBufferPointer(start: row, count: H)
                let reference = padded[((t.input.offsets[b] + p) * H)..<((t.input.offsets[b] + p + 1) * H)]
                expected += reference
                let w = p < L ? 1 : Double(T - L) / Double(slots.count - L)
                for (j, v) in reference.enumerated() { mean[j] += w * Double(v) / Double(T) }
            }
            expectedMean += mean.map { Float($0) }
        }
        // Rounding differs (each row attends over L + k keys instead of T): worst ≈ 1.2e-6 here.
        let c = closeness("hidden states", ours, expected)
        #expect(c.ok, "\(c)")
        var pooled = [Float](repeating: 0, count: input.batch * H)
        Pooling.mean.forward(&pooled, hidden: hidden, input: input, hiddenSize: H)
        let m = closeness("weighted mean", pooled, expectedMean)
        #expect(m.ok, "\(m)")
    }

    /// Small K: each row is its L real tokens, then k = min(K, T − L) pad queries at
    /// L + ⌊(2i + 1)(T − L)/2k⌋, pad id, type 0, masked, weight (T − L)/k; Σ weights = T per row.
    @Test(arguments: ["bert", "roberta"])
    func fewPadQueriesTakeEvenlySpreadPositions(_ family: String) throws {
        let t = try TinyBert(family)
        let config = t.encoder.config, pad = Int32(config.padTokenId)
        let T = 10, K = 3
        let realLengths = [4, 3, 8, 10, 9]
        let rows = realLengths.map { L in
            Encoding(ids: (0..<L).map { Int32(5 + $0) }, typeIds: [Int32](repeating: 0, count: L),
                     tokens: (0..<L).map { "t\($0)" })
        }
        let input = try EncoderInput(packing: rows, padQueries: K, paddedLength: T, padTokenId: pad, config: config)
        // Padded positions chosen per row: L = 4: 6 pads → 5, 7, 9; L = 3: 7 pads → 4, 6, 8;
        // L = 8: 2 pads → both; L = 10: none; L = 9: 1 pad → 9.
        let slots: [[Int]] = [[5, 7, 9], [4, 6, 8], [8, 9], [], [9]]
        let weights: [Float] = [2, 7.0 / 3, 1, 0, 1]
        #expect(input.lengths == zip(realLengths, slots).map { $0 + $1.count })
        #expect(input.tokens == 4 + 3 + 3 + 3 + 8 + 2 + 10 + 9 + 1)
        let offsetPositions = config.family.offsetsPositionsByPadding
        for b in 0..<input.batch {
            let L = realLengths[b], start = input.offsets[b]
            #expect(EncoderInput.padQuerySlots(realLength: L, paddedLength: T, count: min(K, T - L)) == slots[b])
            let real = start..<(start + L), queries = (start + L)..<(start + input.lengths[b])
            #expect(Array(input.ids[real]) == rows[b].ids)
            #expect(input.keep[real].allSatisfy { $0 == 1 } && input.keep[queries].allSatisfy { $0 == 0 })
            #expect(input.ids[queries].allSatisfy { $0 == pad } && input.typeIds[queries].allSatisfy { $0 == 0 })
            // Positions as the padded row has them: BERT its index, RoBERTa padding_idx + 1 + index
            // for real tokens and padding_idx for padding.
            let realPositions = (0..<L).map { Int32(offsetPositions ? Int(pad) + 1 + $0 : $0) }
            let queryPositions = slots[b].map { Int32(offsetPositions ? Int(pad) : $0) }
            #expect(Array(input.positions[real]) == realPositions)
            #expect(Array(input.positions[queries]) == queryPositions)
            let w = try #require(input.poolingWeights)
            #expect(w[real].allSatisfy { $0 == 1 } && w[queries].allSatisfy { $0 == weights[b] })
            let total = w[start..<(start + input.lengths[b])].reduce(0, +)
            #expect(abs(total - Float(T)) <= 1e-5 * Float(T), "row \(b): Σ weights \(total)")
        }
        #expect(input.realLength(0) == 4 && input.sequence == 10)
    }

    @Test func rowsThatDoNotFitThePaddedLengthAreRefused() throws {
        let t = try TinyBert("bert")
        let row = Encoding(ids: [Int32](repeating: 5, count: 6), typeIds: [Int32](repeating: 0, count: 6),
                           tokens: [String](repeating: "t", count: 6))
        #expect(throws: ModelError.self) {
            try EncoderInput(packing: [row], padQueries: 2, paddedLength: 5, padTokenId: 0, config: t.encoder.config)
        }
        #expect(throws: ModelError.self) {
            try EncoderInput(packing: [row], padQueries: 2, paddedLength: t.encoder.config.maxSequenceLength + 1,
                             padTokenId: 0, config: t.encoder.config)
        }
    }
}
