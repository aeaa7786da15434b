import Foundation
import Kernels
import Testing
import TestSupport

@Suite struct KernelGradientTests {
    @Test func layerNormBackwardMatchesFiniteDifferences() {
        var r = TestRandom(1)
        let n = 5, c = 13
        let x = r.normals(n * c), gamma = r.normals(c).map { 1 + 0.3 * $0 }, beta = r.normals(c, scale: 0.1)
        let w = r.normals(n * c)
        func forward(_ x: [Float], _ gamma: [Float], _ beta: [Float]) -> ([Float], [Float], [Float]) {
            var y = [Float](repeating: 0, count: n * c), mean = [Float](repeating: 0, count: n), rstd = mean
            LayerNorm.forward(y: &y, mean: &mean, rstd: &rstd, x: x, gamma: gamma, beta: beta, n: n, c: c, eps: 1e-5)
            return (y, mean, rstd)
        }
        let (_, mean, rstd) = forward(x, gamma, beta)
        var dx = [Float](repeating: 0, count: n * c), dg = [Float](repeating: 0, count: c), db = dg
        var scratch = [Float](repeating: 0, count: 2 * c * Parallel.threads)
        LayerNorm.backward(dx: &dx, dGamma: &dg, dBeta: &db, dy: w, x: x, mean: mean, rstd: rstd, gamma: gamma,
                           n: n, c: c, scratch: &scratch)
        let ndx = numericalGradient(x) { weightedSum(forward($0, gamma, beta).0, w) }
        let ndg = numericalGradient(gamma) { weightedSum(forward(x, $0, beta).0, w) }
        let ndb = numericalGradient(beta) { weightedSum(forward(x, gamma, $0).0, w) }
        for check in [closeness("dx", dx, ndx, atol: 2e-3, rtol: 2e-2), closeness("dγ", dg, ndg, atol: 2e-3, rtol: 2e-2),
                      closeness("dβ", db, ndb, atol: 2e-3, rtol: 2e-2)] {
            #expect(check.ok, "\(check)")
        }
    }

    @Test func geluMatchesErfFormAndItsDerivative() {
        var r = TestRandom(2)
        let x = r.normals(257, scale: 3) + [0, -0.0, 8, -8, 20, -20]
        var y = [Float](repeating: 0, count: x.count)
        GELU.forward(y: &y, x: x, count: x.count)
        let exact = x.map { v -> Double in let d = Double(v); return 0.5 * d * (1 + erf(d / 2.0.squareRoot())) }
        let f = closeness("gelu", y, exact, atol: 1e-6, rtol: 1e-6)
        #expect(f.ok, "\(f)")
        let w = r.normals(x.count)
        var dx = [Float](repeating: 0, count: x.count)
        GELU.backward(dx: &dx, x: x, dy: w, count: x.count)
        let analytic = zip(x, w).map { v, w -> Double in
            let d = Double(v)
            return Double(w) * (0.5 * (1 + erf(d / 2.0.squareRoot())) + d * exp(-d * d / 2) / (2 * Double.pi).squareRoot())
        }
        let b = closeness("gelu′", dx, analytic, atol: 1e-6, rtol: 1e-5)
        #expect(b.ok, "\(b)")
    }

    @Test func linearBackwardMatchesFiniteDifferences() {
        var r = TestRandom(3)
        let n = 4, i = 7, o = 5
        let x = r.normals(n * i), wt = r.normals(o * i), bias = r.normals(o), w = r.normals(n * o)
        func forward(_ x: [Float], _ wt: [Float], _ bias: [Float]) -> [Float] {
            var y = [Float](repeating: 0, count: n * o)
            Linear.forward(y: &y, x: x, weight: wt, bias: bias, n: n, inFeatures: i, outFeatures: o)
            return y
        }
        var dx = [Float](repeating: 0, count: n * i), dw = [Float](repeating: 0, count: o * i), db = [Float](repeating: 0, count: o)
        Linear.backward(dx: &dx, dWeight: &dw, dBias: &db, dy: w, x: x, weight: wt, n: n, inFeatures: i, outFeatures: o)
        let checks = [
            closeness("dx", dx, numericalGradient(x) { weightedSum(forward($0, wt, bias), w) }, atol: 1e-3, rtol: 1e-3),
            closeness("dW", dw, numericalGradient(wt) { weightedSum(forward(x, $0, bias), w) }, atol: 1e-3, rtol: 1e-3),
            closeness("db", db, numericalGradient(bias) { weightedSum(forward(x, wt, $0), w) }, atol: 1e-3, rtol: 1e-3),
        ]
        for c in checks { #expect(c.ok, "\(c)") }
    }

    @Test(arguments: [(false, false, false), (true, false, false), (false, true, false), (true, true, false),
                      (false, false, true), (true, true, true)])
    func attentionBackwardMatchesFiniteDifferences(drophead: Bool, dropout: Bool, packed: Bool) {
        let site: DropoutSite? = dropout ? DropoutSite(p: 0.3, seed: 9, stream: 1) : nil
        var r = TestRandom(4)
        // Rectangular: 2 rows of 5 tokens, the last 2 of row 1 padding; packed: rows of 5 and 3.
        let shape = packed ? AttentionLayout(heads: 2, headDim: 3, offsets: [0, 5], lengths: [5, 3])
                           : AttentionLayout(batch: 2, sequence: 5, heads: 2, headDim: 3)
        let H = shape.hidden, N = shape.tokens
        let qkv = r.normals(N * 3 * H)
        let keep: [Int32] = packed ? [Int32](repeating: 1, count: 8) : [1, 1, 1, 1, 1, 1, 1, 1, 0, 0]
        let headScale: [Float]? = drophead ? [0, 2, 1, 1] : nil
        let w = r.normals(N * H)
        var scratch = [Float](repeating: 0, count: shape.scratchCount)
        var probs = [Float](repeating: 0, count: shape.probabilityCount)
        func forward(_ qkv: [Float]) -> [Float] {
            var ctx = [Float](repeating: 0, count: N * H)
            if let headScale {
                headScale.withUnsafeBufferPointer { hs in
                    Attention.forward(ctx: &ctx, probs: &probs, qkv: qkv, keep: keep, layout: shape, dropout: site,
                                      headScale: hs.baseAddress, scratch: &scratch)
                }
            } else {
                Attention.forward(ctx: &ctx, probs: &probs, qkv: qkv, keep: keep, layout: shape, dropout: site,
                                  headScale: nil, scratch: &scratch)
            }
            return ctx
        }
        _ = forward(qkv)
        var dqkv = [Float](repeating: 0, count: N * 3 * H)
        let savedProbs = probs
        if let headScale {
            headScale.withUnsafeBufferPointer { hs in
                Attention.backward(dqkv: &dqkv, dctx: w, qkv: qkv, probs: savedProbs, layout: shape, dropout: site,
                                   headScale: hs.baseAddress, scratch: &scratch)
            }
        } else {
            Attention.backward(dqkv: &dqkv, dctx: w, qkv: qkv, probs: savedProbs, layout: shape, dropout: site,
                               headScale: nil, scratch: &scratch)
        }
        let numeric = numericalGradient(qkv) { weightedSum(forward($0), w) }
        let c = closeness("dqkv", dqkv, numeric, atol: 2e-3, rtol: 2e-2)
        #expect(c.ok, "\(c)")
        // Padded keys receive exactly zero probability.
        if !packed { for bh in 2..<4 { for i in 0..<5 { for j in 3..<5 { #expect(savedProbs[(bh * 5 + i) * 5 + j] == 0) } } } }
    }

    /// Training keeps P′ (dropped, optionally bf16-rounded) from the forward; the backward that
    /// reads the mask off it equals the one that regenerates the mask.
    @Test(arguments: [false, true])
    func attentionBackwardFromSavedDroppedProbabilities(rounds: Bool) {
        let site = DropoutSite(p: 0.3, seed: 9, stream: 1)
        var r = TestRandom(5)
        let shape = AttentionLayout(heads: 2, headDim: 3, offsets: [0, 5], lengths: [5, 3])
        let H = shape.hidden, N = shape.tokens
        let qkv = r.normals(N * 3 * H).map { rounds ? Float(bitPattern: $0.bitPattern & 0xFFFF_0000) : $0 }
        let keep = [Int32](repeating: 1, count: N), w = r.normals(N * H)
        var scratch = [Float](repeating: 0, count: shape.scratchCount)
        var probs = [Float](repeating: 0, count: shape.probabilityCount), used = probs
        var ctxSaved = [Float](repeating: 0, count: N * H), ctxPlain = ctxSaved
        Attention.forward(ctx: &ctxSaved, probs: &probs, probsUsed: &used, qkv: qkv, keep: keep, layout: shape, dropout: site,
                          headScale: nil, roundsProducts: rounds, scratch: &scratch)
        Attention.forward(ctx: &ctxPlain, probs: &probs, qkv: qkv, keep: keep, layout: shape, dropout: site,
                          headScale: nil, roundsProducts: rounds, scratch: &scratch)
        #expect(ctxSaved == ctxPlain)
        #expect(used.contains(0) && used.filter { $0 != 0 }.count > used.count / 2, "some entries dropped, most kept")
        var fromSaved = [Float](repeating: 0, count: N * 3 * H), regenerated = fromSaved
        Attention.backward(dqkv: &fromSaved, dctx: w, qkv: qkv, probs: probs, probsUsed: used, layout: shape, dropout: site,
                           headScale: nil, roundsProducts: rounds, scratch: &scratch)
        Attention.backward(dqkv: &regenerated, dctx: w, qkv: qkv, probs: probs, layout: shape, dropout: site,
                           headScale: nil, roundsProducts: rounds, scratch: &scratch)
        let c = closeness("dqkv", fromSaved, regenerated, atol: 1e-6, rtol: 1e-6)
        #expect(c.ok, "\(c)")
    }

    @Test func dropoutKeepsTheRightFractionScalesAndReplaysItsMask() {
        let n = 200_000, p: Float = 0.1
        let x = [Float](repeating: 1, count: n)
        var y = [Float](repeating: 0, count: n)
        let site = DropoutSite(p: p, seed: 42, stream: 7)
        Dropout.forward(y: &y, x: x, count: n, site: site)
        let kept = y.filter { $0 != 0 }
        let rate = Double(kept.count) / Double(n)
        // Binomial standard deviation sqrt(p(1−p)/n) ≈ 0.00067: allow 5σ.
        #expect(abs(rate - 0.9) < 0.0034, "keep rate \(rate)")
        #expect(kept.allSatisfy { abs($0 - 1 / 0.9) < 1e-6 })
        var dx = [Float](repeating: 0, count: n)
        Dropout.backward(dx: &dx, dy: x, count: n, site: site, accumulate: false)
        #expect(dx == y, "the backward pass must regenerate the forward's mask")
        // A different stream or seed gives a different mask; the same one is reproducible.
        var y2 = [Float](repeating: 0, count: n)
        Dropout.forward(y: &y2, x: x, count: n, site: DropoutSite(p: p, seed: 42, stream: 8))
        #expect(y2 != y)
        Dropout.forward(y: &y2, x: x, count: n, site: site)
        #expect(y2 == y)
        // Masks at an offset equal the tail of a longer run (independent of how work is split).
        var tail = [Float](repeating: 0, count: 1000)
        Dropout.forward(y: &tail, x: x, count: 1000, site: site, first: 5000)
        #expect(Array(y[5000..<6000]) == tail)
    }

    @Test func embeddingBackwardScatterAddsIntoUsedRows() {
        var r = TestRandom(5)
        let H = 6, vocab = 4, n = 5
        let table = r.normals(vocab * H), pos = r.normals(n * H)
        let ids: [Int32] = [1, 3, 1, 0, 1], positions: [Int32] = [0, 1, 2, 3, 4]
        var out = [Float](repeating: 0, count: n * H)
        table.withUnsafeBufferPointer { t in
            pos.withUnsafeBufferPointer { p in
                ids.withUnsafeBufferPointer { i in
                    positions.withUnsafeBufferPointer { ps in
                        Embedding.forward(out: &out, tables: [EmbeddingTable(weights: t.baseAddress!, rows: vocab),
                                                              EmbeddingTable(weights: p.baseAddress!, rows: n)],
                                          indices: [i.baseAddress!, ps.baseAddress!], n: n, hidden: H)
                    }
                }
            }
        }
        for k in 0..<n { for j in 0..<H { #expect(out[k * H + j] == table[Int(ids[k]) * H + j] + pos[k * H + j]) } }
        let dOut = r.normals(n * H)
        var dTable = [Float](repeating: 0, count: vocab * H)
        dTable.withUnsafeMutableBufferPointer { dt in
            ids.withUnsafeBufferPointer { i in
                Embedding.backward(dTables: [dt.baseAddress!], indices: [i.baseAddress!], dOut: dOut, n: n, hidden: H)
            }
        }
        for j in 0..<H {
            #expect(abs(dTable[1 * H + j] - (dOut[0 * H + j] + dOut[2 * H + j] + dOut[4 * H + j])) < 1e-6)
            #expect(dTable[2 * H + j] == 0)
        }
    }
}
