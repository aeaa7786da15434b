// `mirror-bert-bench gemm`: GFLOP/s of the four product shapes of a linear layer's forward and
// backward (Y = X·Wᵀ, dX = dY·W, dW = dYᵀ·X) at one shape, in fp32 and bf16, through BLAS.gemm,
// with the kernel oneDNN picked for each.

import Foundation
import JSON
import Kernels

func gemmBenchmark(tokens n: Int, inFeatures k: Int, outFeatures o: Int, repeats: Int) -> [JSONValue] {
    let x = FloatBuffer(count: n * max(k, o)), w = FloatBuffer(count: k * o), y = FloatBuffer(count: n * max(k, o))
    var rng = Rng(seed: 3)
    for i in 0..<x.count { x[i] = rng.uniform() - 0.5 }
    for i in 0..<w.count { w[i] = 0.05 * (rng.uniform() - 0.5) }
    let x2 = FloatBuffer(count: n * k)
    for i in 0..<x2.count { x2[i] = rng.uniform() - 0.5 }
    let xh = UnsafeMutablePointer<UInt16>.allocate(capacity: x.count), wh = UnsafeMutablePointer<UInt16>.allocate(capacity: w.count)
    let xh2 = UnsafeMutablePointer<UInt16>.allocate(capacity: x2.count)
    defer { xh.deallocate(); wh.deallocate(); xh2.deallocate() }
    let rounding = ProductInputs(precision: .bf16)
    if case let .bf16(p) = rounding.operand(x.pointer, rows: 1, cols: x.count, ld: x.count, slot: 0).0 { xh.update(from: p, count: x.count) }
    if case let .bf16(p) = rounding.operand(w.pointer, rows: 1, cols: w.count, ld: w.count, slot: 0).0 { wh.update(from: p, count: w.count) }
    if case let .bf16(p) = rounding.operand(x2.pointer, rows: 1, cols: x2.count, ld: x2.count, slot: 0).0 { xh2.update(from: p, count: x2.count) }
    // (name, transA, transB, m, n, k, lda, ldb, ldc, beta, B is an activation (n, k) instead of W)
    let cases: [(String, Bool, Bool, Int, Int, Int, Int, Int, Int, Float, Bool)] = [
        ("forward Y = X·Wᵀ", false, true, n, o, k, k, k, o, 0, false),
        ("backward dX = dY·W", false, false, n, k, o, o, k, k, 0, false),
        ("backward dW += dYᵀ·X", true, false, o, k, n, o, k, k, 1, true),  // A = dY (n, o), B = X (n, k)
    ]
    var rows: [JSONValue] = []
    for bf16 in [false, true] where !bf16 || Precision.hasNativeBF16 {
        for (name, ta, tb, m, nn, kk, lda, ldb, ldc, beta, activationB) in cases {
            let a: MatrixData = bf16 ? .bf16(xh) : .fp32(x.pointer)
            let b: MatrixData = activationB ? (bf16 ? .bf16(xh2) : .fp32(x2.pointer)) : (bf16 ? .bf16(wh) : .fp32(w.pointer))
            func once() { BLAS.gemm(transA: ta, transB: tb, m: m, n: nn, k: kk, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: y.pointer, ldc: ldc) }
            once()
            let t0 = Date()
            for _ in 0..<repeats { once() }
            let dt = Date().timeIntervalSince(t0) / Double(repeats)
            rows.append(.object([
                ("product", .string(name)), ("precision", .string(bf16 ? "bf16" : "fp32")),
                ("m", .int(m)), ("n", .int(nn)), ("k", .int(kk)),
                ("kernel", .string(BLAS.implementation(bf16: bf16, transA: ta, transB: tb, m: m, n: nn, k: kk, lda: lda, ldb: ldb, ldc: ldc))),
                ("gflops", .double(2 * Double(m) * Double(nn) * Double(kk) / dt / 1e9)),
            ]))
        }
    }
    return rows
}
