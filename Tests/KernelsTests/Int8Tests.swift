// int8 products (Kernels/Int8Products.swift). oneDNN's int8 matmul accumulates exactly in int32,
// so it must equal the plain loop (ck_int8_matmul_reference) bit for bit. An int8 linear layer
// differs from fp32 by the rounding of both operands: per term at most |x|·s_w/2 + |W|·s_x/2 +
// s_x·s_w/4, so |Δy[i][j]| ≤ ½(s_w[j]·‖x_i‖₁ + s_x[i]·‖W_j‖₁) + k·s_x[i]·s_w[j]/4 (s = max|·|/127),
// plus fp32 rounding of the result (1e-5 relative); the tests check that bound. int8 runs on
// every CPU oneDNN supports (VNNI only makes it faster), so nothing here is skipped.

import CKernels
import Foundation
import Kernels
import Testing

private func randomMatrix(_ count: Int, seed: UInt64, scale: Float = 1) -> [Float] {
    var rng = Rng(seed: seed)
    return (0..<count).map { _ in scale * (2 * rng.uniform() - 1) }
}

@Suite struct Int8Tests {
    @Test func quantizationIsSymmetricPerRowWithHalfEvenRounding() {
        let x: [Float] = [127, -63.5, 0.5, 1.5, -2.5, 0,  /* zero row: */ 0, 0, 0, 0, 0, 0]
        var q = [Int8](repeating: 9, count: 12), s = [Float](repeating: 0, count: 2)
        ck_int8_quantize_rows(&q, &s, x, 2, 6, 6)
        #expect(s == [1, 1])
        #expect(Array(q[0..<6]) == [127, -64, 0, 2, -2, 0])  // −63.5 → −64, 0.5 → 0, 1.5 → 2, −2.5 → −2 (ties to even)
        #expect(Array(q[6..<12]) == [0, 0, 0, 0, 0, 0])
    }

    @Test(arguments: [(1, 1, 1), (7, 5, 3), (37, 61, 384), (300, 96, 1536), (1, 384, 64)])
    func oneDNNMatchesTheExactIntegerLoop(m: Int, n: Int, k: Int) {
        var rng = Rng(seed: UInt64(m * 1000 + n * 10 + k))
        let a = (0..<(m * k)).map { _ in Int8(Int(rng.uniform() * 255) - 127) }
        let b = (0..<(n * k)).map { _ in Int8(Int(rng.uniform() * 255) - 127) }
        var expected = [Int32](repeating: 0, count: m * n), actual = [Int32](repeating: -1, count: m * n)
        ck_int8_matmul_reference(&expected, a, b, m, n, k)
        BLAS.gemmInt8(m: m, n: n, k: k, a: a, lda: k, b: b, ldb: k, c: &actual, ldc: n)
        #expect(actual == expected)
    }

    @Test(arguments: [(5, 384, 384), (300, 1536, 384), (17, 384, 1536)])
    func linearLayerIsWithinTheQuantizationBound(n: Int, inFeatures: Int, outFeatures: Int) {
        let x = randomMatrix(n * inFeatures, seed: 1, scale: 3), w = randomMatrix(outFeatures * inFeatures, seed: 2, scale: 0.05)
        let bias = randomMatrix(outFeatures, seed: 3)
        var exact = [Float](repeating: 0, count: n * outFeatures), int8 = exact
        Linear.forward(y: &exact, x: x, weight: w, bias: bias, n: n, inFeatures: inFeatures, outFeatures: outFeatures)
        // Through a weight copy (as the encoder does) and quantized on the fly: the same numbers.
        var viaCopy = exact
        w.withUnsafeBufferPointer { wp in
            let products = ProductInputs(precision: .int8, quantized: QuantizedWeights(base: wp.baseAddress!, matrices: [(0, outFeatures, inFeatures)]))
            Linear.forward(y: &viaCopy, x: x, weight: wp.baseAddress!, bias: bias, n: n, inFeatures: inFeatures,
                           outFeatures: outFeatures, products: products)
        }
        Linear.forward(y: &int8, x: x, weight: w, bias: bias, n: n, inFeatures: inFeatures, outFeatures: outFeatures,
                       products: ProductInputs(precision: .int8))
        #expect(viaCopy == int8)
        var worst = 0.0
        for i in 0..<n {
            let xi = x[(i * inFeatures)..<((i + 1) * inFeatures)]
            let sx = Double(xi.map { abs($0) }.max()!) / 127, x1 = xi.reduce(0.0) { $0 + Double(abs($1)) }
            for j in 0..<outFeatures {
                let wj = w[(j * inFeatures)..<((j + 1) * inFeatures)]
                let sw = Double(wj.map { abs($0) }.max()!) / 127, w1 = wj.reduce(0.0) { $0 + Double(abs($1)) }
                let bound = 0.5 * (sw * x1 + sx * w1) + Double(inFeatures) * sx * sw / 4 + 1e-5 * (x1 * sw * 127 + 1)
                let err = abs(Double(int8[i * outFeatures + j]) - Double(exact[i * outFeatures + j]))
                #expect(err <= bound, "y[\(i)][\(j)]: |Δ| \(err) > bound \(bound)")
                worst = max(worst, err / bound)
            }
        }
        #expect(worst > 0)  // it did quantize
    }

    @Test func int8CannotTrain() {
        #expect(!Precision.int8.trains && Precision.bf16.trains && Precision.fp32.trains)
        #expect(throws: Never.self) { _ = try PrecisionRequest.int8.resolve(native: false) }
    }
}
