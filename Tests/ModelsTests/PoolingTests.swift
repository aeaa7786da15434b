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

    @Test func normalizeGivesUnitRowsAndLeavesZeroRowsZero() {
        var x: [Float] = [3, 4, 0, 0]
        Pooling.normalize(&x, rows: 2, columns: 2)
        #expect(x == [0.6, 0.8, 0, 0])
    }
}
