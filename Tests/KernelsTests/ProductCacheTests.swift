// The product library's primitive cache (COneDNN/matmul.c): one primitive per shape, at most 256,
// least recently used evicted, all sharing one scratchpad that grows to the largest asked for.
// Products of more row counts than the cache holds, in rising order (the scratchpad grows) and
// then falling (entries are found, evicted and rebuilt), each equal the product computed in
// Double up to fp32 summation: |c − exact| ≤ 1e-5·Σ|a||b| per element.

import Kernels
import Testing
import TestSupport

@Suite struct ProductCacheTests {
    /// C (m, n) = A (m, k) · Bᵀ (B is (n, k)) + bias in Double, and Σ|a||b| per element.
    private func exact(_ a: [Float], _ b: [Float], _ bias: [Float], m: Int, n: Int, k: Int) -> (c: [Double], magnitude: [Double]) {
        var c = [Double](repeating: 0, count: m * n), mag = c
        for i in 0..<m {
            for j in 0..<n {
                var s = Double(bias[j]), t = abs(Double(bias[j]))
                for p in 0..<k {
                    let x = Double(a[i * k + p]) * Double(b[j * k + p])
                    s += x; t += abs(x)
                }
                c[i * n + j] = s; mag[i * n + j] = t
            }
        }
        return (c, mag)
    }

    @Test func productsOfMoreShapesThanTheCacheHoldsStayExact() {
        var r = TestRandom(31)
        // Row counts are cut into a multiple of 256, a multiple of 16 and a remainder below 16, so
        // 1…300 rows make 31 shapes per layout: 10 layouts make 310, more than the cache's 256.
        let layouts = (1...10).map { (n: 8 * $0, k: 8 * (11 - $0)) }
        let rows = Array(1...300)
        let a = r.normals(300 * 80), b = r.normals(80 * 80), bias = r.normals(80)
        var worst = 0.0, bad = 0  // bad: elements not within the bound (NaN included)
        for order in [rows, rows.reversed()] {
            for m in order {
                for (n, k) in layouts {
                    let x = Array(a[0..<(m * k)]), w = Array(b[0..<(n * k)]), bs = Array(bias[0..<n])
                    var c = [Float](repeating: .nan, count: m * n)
                    Linear.forward(y: &c, x: x, weight: w, bias: bs, n: m, inFeatures: k, outFeatures: n)  // BLAS.gemm, fp32
                    let e = exact(x, w, bs, m: m, n: n, k: k)
                    for i in 0..<(m * n) {
                        let error = abs(Double(c[i]) - e.c[i]) / max(e.magnitude[i], 1e-30)
                        if error <= 1e-5 { worst = max(worst, error) } else { bad += 1 }
                    }
                }
            }
        }
        #expect(bad == 0, "\(bad) elements off by more than 1e-5·Σ|a||b| (worst within: \(worst))")
    }
}
