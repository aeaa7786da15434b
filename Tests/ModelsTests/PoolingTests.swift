// Pooling forward on a hand-checked example and its backward against finite differences.

import Kernels
import Models
import Testing
import TestSupport

@Suite struct PoolingTests {
    // B = 2, T = 3, H = 2; row 1 has one padded position.
    let hidden: [Float] = [1, 2, 3, 4, 5, 6, /* row 1 */ 7, 8, 9, 10, 100, 200]
    let keep: [Int32] = [1, 1, 1, 1, 1, 0]

    func pool(_ p: Pooling, _ h: [Float]) -> [Float] {
        var out = [Float](repeating: 0, count: 4)
        p.forward(&out, hidden: h, keep: keep, offsets: [0, 3], lengths: [3, 3], hiddenSize: 2)
        return out
    }

    @Test func forwardValues() {
        #expect(pool(.cls, hidden) == [1, 2, 7, 8])
        let mean = closeness("mean", pool(.mean, hidden), [3, 4, 116.0 / 3, 218.0 / 3], atol: 0, rtol: 1e-6)
        #expect(mean.ok, "\(mean)")
        #expect(pool(.meanMasked, hidden) == [3, 4, 8, 9])
    }

    @Test(arguments: Pooling.allCases)
    func backwardMatchesFiniteDifferences(_ p: Pooling) {
        let w: [Float] = [0.5, -1, 2, 0.25]
        var dh = [Float](repeating: 7, count: hidden.count)  // overwritten by backward
        p.backward(&dh, dOut: w, keep: keep, offsets: [0, 3], lengths: [3, 3], hiddenSize: 2)
        var numeric = [Double](repeating: 0, count: hidden.count)
        for i in 0..<hidden.count {
            var plus = hidden, minus = hidden
            plus[i] += 0.5; minus[i] -= 0.5
            let lp = zip(pool(p, plus), w).reduce(0.0) { $0 + Double($1.0 * $1.1) }
            let lm = zip(pool(p, minus), w).reduce(0.0) { $0 + Double($1.0 * $1.1) }
            numeric[i] = (lp - lm) / 1.0
        }
        let c = closeness("d hidden (\(p.rawValue))", dh, numeric, atol: 1e-5, rtol: 1e-5)
        #expect(c.ok, "\(c)")
    }

    // Row 0's last token weighted 2 (as a pad query standing for two positions); row 1 all weight 1.
    let weights: [Float] = [1, 1, 2, 1, 1, 1]

    func pool(_ p: Pooling, _ h: [Float], weights w: [Float]) -> [Float] {
        var out = [Float](repeating: 0, count: 4)
        p.forward(&out, hidden: h, keep: keep, weights: w, offsets: [0, 3], lengths: [3, 3], hiddenSize: 2)
        return out
    }

    /// `mean` weighs tokens (Σ w h / Σ w); cls and mean-masked ignore the weights; all-one weights
    /// give exactly the unweighted results.
    @Test func weightedMeanValues() {
        // Row 0: (1·[1, 2] + 1·[3, 4] + 2·[5, 6]) / 4; row 1 as unweighted.
        let expected: [Double] = [14.0 / 4, 18.0 / 4, 116.0 / 3, 218.0 / 3]
        let mean = closeness("weighted mean", pool(.mean, hidden, weights: weights), expected, atol: 0, rtol: 1e-6)
        #expect(mean.ok, "\(mean)")
        #expect(pool(.cls, hidden, weights: weights) == pool(.cls, hidden))
        #expect(pool(.meanMasked, hidden, weights: weights) == pool(.meanMasked, hidden))
        for p in Pooling.allCases {
            #expect(pool(p, hidden, weights: [Float](repeating: 1, count: 6)) == pool(p, hidden))
            let w: [Float] = [0.5, -1, 2, 0.25]
            var plain = [Float](repeating: 0, count: 12), ones = plain
            p.backward(&plain, dOut: w, keep: keep, offsets: [0, 3], lengths: [3, 3], hiddenSize: 2)
            p.backward(&ones, dOut: w, keep: keep, weights: [Float](repeating: 1, count: 6), offsets: [0, 3], lengths: [3, 3],
                       hiddenSize: 2)
            #expect(plain == ones)
        }
    }

    @Test(arguments: Pooling.allCases)
    func weightedBackwardMatchesFiniteDifferences(_ p: Pooling) {
        let w: [Float] = [0.5, -1, 2, 0.25]
        var dh = [Float](repeating: 7, count: hidden.count)
        p.backward(&dh, dOut: w, keep: keep, weights: weights, offsets: [0, 3], lengths: [3, 3], hiddenSize: 2)
        var numeric = [Double](repeating: 0, count: hidden.count)
        for i in 0..<hidden.count {
            var plus = hidden, minus = hidden
            plus[i] += 0.5; minus[i] -= 0.5
            let lp = zip(pool(p, plus, weights: weights), w).reduce(0.0) { $0 + Double($1.0 * $1.1) }
            let lm = zip(pool(p, minus, weights: weights), w).reduce(0.0) { $0 + Double($1.0 * $1.1) }
            numeric[i] = (lp - lm) / 1.0
        }
        let c = closeness("d hidden (\(p.rawValue), weighted)", dh, numeric, atol: 1e-5, rtol: 1e-5)
        #expect(c.ok, "\(c)")
    }

    @Test func normalizeGivesUnitRowsAndLeavesZeroRowsZero() {
        var x: [Float] = [3, 4, 0, 0]
        Pooling.normalize(&x, rows: 2, columns: 2)
        #expect(x == [0.6, 0.8, 0, 0])
    }
}
