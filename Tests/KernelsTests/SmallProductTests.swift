// The attention's A·Bᵀ kernel (ck_matmul_nt) against ck_matmul_nn over an explicit transpose: the
// same sums in the same order, so equal bit for bit, at every n (below, at and above 16).

import CKernels
import Kernels
import Testing

@Suite struct SmallProductTests {
    @Test(arguments: [(1, 1, 1), (15, 15, 32), (16, 16, 64), (17, 33, 32), (50, 50, 128)])
    func transposedProductEqualsTheRowUpdateForm(m: Int, n: Int, k: Int) {
        var rng = Rng(seed: UInt64(m * 31 + n * 7 + k))
        let lda = k + 3, ldb = k + 5
        let a = (0..<(m * lda)).map { _ in 2 * rng.uniform() - 1 }, b = (0..<(n * ldb)).map { _ in 2 * rng.uniform() - 1 }
        var bt = [Float](repeating: 0, count: k * n)
        for j in 0..<n { for p in 0..<k { bt[p * n + j] = b[j * ldb + p] } }
        var expected = [Float](repeating: 0, count: m * n), actual = [Float](repeating: .nan, count: m * n)
        ck_matmul_nn(&expected, a, bt, m, n, k, lda, n, n, 0.5, 0)
        var scratch = [Float](repeating: .nan, count: ck_matmul_nt_scratch(n, k))
        ck_matmul_nt(&actual, a, b, m, n, k, lda, ldb, n, 0.5, &scratch)
        #expect(actual == expected)
    }

    @Test func parallelRunsEveryChunkOnce() {
        for n in [0, 1, 2, 3, 17] {
            var hits = [Int](repeating: 0, count: n)
            hits.withUnsafeMutableBufferPointer { h in
                let p = h.baseAddress
                Parallel.each(n) { i in p![i] += 1 }
            }
            #expect(hits == [Int](repeating: 1, count: n))
        }
    }
}
