// bf16 products (Kernels/Precision.swift). The tolerances follow from the rounding:
//   - rounding to bf16 changes a value by at most 2⁻⁹ relatively (8 significant bits), so a
//     product term a·b by at most ≈2⁻⁸ relatively, and a sum of k terms by at most
//     2⁻⁸·Σ|a||b| (the "bf16 bound" below) against the fp32 product of the unrounded inputs;
//   - bf16 × bf16 is exact in fp32, so native bf16 (oneDNN) and the reference (rounded inputs,
//     fp32 product) differ only in the order of fp32 sums: ≤ k·2⁻²⁴·Σ|a||b| (we allow 1e-5·Σ|a||b|);
//   - against the product computed in Double from the rounded inputs, the reference is exact
//     up to fp32 accumulation (same 1e-5·Σ|a||b|).
// Tests of the native path are skipped, with the reason, on CPUs without bf16 dot products.

import Foundation
import Kernels
import Testing
import TestSupport

private let nativeBF16 = Precision.hasNativeBF16
private let noNative = Comment(rawValue: Precision.nativeBF16Problem ?? "")

/// x rounded to bf16 (round to nearest, ties to even), computed independently of the kernels.
private func bf16(_ x: Float) -> Float {
    if x.isNaN { return x }
    let u = x.bitPattern
    let rounded = (UInt64(u) + 0x7FFF + UInt64((u >> 16) & 1)) >> 16
    return Float(bitPattern: UInt32(truncatingIfNeeded: rounded << 16))
}

/// C (m, n) = A (m, k) · Bᵀ (B is (n, k)) in Double, and Σ|a||b| per element.
private func reference(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int) -> (c: [Double], magnitude: [Double]) {
    var c = [Double](repeating: 0, count: m * n), mag = c
    for i in 0..<m {
        for j in 0..<n {
            for p in 0..<k {
                let t = Double(a[i * k + p]) * Double(b[j * k + p])
                c[i * n + j] += t; mag[i * n + j] += abs(t)
            }
        }
    }
    return (c, mag)
}

/// Max over elements of |x − y| / magnitude.
private func worstRelative(_ x: [Float], _ y: [Double], _ magnitude: [Double]) -> Double {
    zip(zip(x, y), magnitude).map { abs(Double($0.0) - $0.1) / max($1, 1e-30) }.max() ?? 0
}

@Suite struct BF16Tests {
    @Test func roundingIsToNearestTiesToEven() {
        let cases: [Float] = [1, -1, 0, -0.0, 1 + 0x1p-8, 1 + 0x1p-7 + 0x1p-8, 1 + 0x1p-8 + 0x1p-20, 3.14159265, -2.718281828,
                              .infinity, -.infinity, .greatestFiniteMagnitude, .leastNonzeroMagnitude, 1e-40, 65504, 1e30]
        var rounded = [Float](repeating: 0, count: cases.count)
        var bits = [UInt16](repeating: 0, count: cases.count)
        let products = ProductInputs(precision: .bf16Reference), native = ProductInputs(precision: .bf16)
        cases.withUnsafeBufferPointer { x in
            if case let .fp32(p) = products.operand(x.baseAddress!, rows: 1, cols: cases.count, ld: cases.count, slot: 0).0 {
                rounded = Array(UnsafeBufferPointer(start: p, count: cases.count))
            }
            if case let .bf16(p) = native.operand(x.baseAddress!, rows: 1, cols: cases.count, ld: cases.count, slot: 0).0 {
                bits = Array(UnsafeBufferPointer(start: p, count: cases.count))
            }
        }
        for (i, x) in cases.enumerated() {
            #expect(rounded[i].bitPattern == bf16(x).bitPattern, "\(x) → \(rounded[i]), expected \(bf16(x))")
            #expect(UInt32(bits[i]) << 16 == bf16(x).bitPattern, "bf16 bits of \(x)")
        }
        // Ties go to the even neighbour: 1 + 2⁻⁸ lies halfway between 1 and 1 + 2⁻⁷.
        #expect(rounded[4] == 1 && rounded[5] == 1 + 0x1p-6 && rounded[6] == 1 + 0x1p-7)
        #expect(rounded[11] == .infinity, "the largest float rounds up to infinity, as in PyTorch")
        var nan = [Float.nan]
        ProductInputs(precision: .bf16Reference).roundInPlace(&nan, count: 1)
        #expect(nan[0].isNaN)
    }

    @Test func autoPicksBF16OnlyWithNativeSupportThatIsFaster() throws {
        #expect(try PrecisionRequest.auto.resolve(native: true, bf16Speedup: { 1.9 }) == .bf16)
        #expect(try PrecisionRequest.auto.resolve(native: true, bf16Speedup: { 0.53 }) == .fp32)
        #expect(try PrecisionRequest.auto.resolve(native: false, bf16Speedup: { 1.9 }) == .fp32)
        #expect(try PrecisionRequest.auto.resolve(native: false) == .fp32)
        if let measured = Precision.bf16Speedup { #expect(measured > 0 && measured.isFinite, "\(measured)") }
        #expect(try PrecisionRequest.fp32.resolve(native: true) == .fp32)
        #expect(try PrecisionRequest.bf16Reference.resolve(native: false) == .bf16Reference)
        #expect(try PrecisionRequest.bf16.resolve(native: true) == .bf16)
        #expect(throws: PrecisionError.self) { try PrecisionRequest.bf16.resolve(native: false) }
        do {
            _ = try PrecisionRequest.bf16.resolve(native: false)
        } catch {
            #expect(error.description.contains("AVX512_BF16") && error.description.contains("--precision fp32"), "\(error)")
        }
    }

    /// Shapes with k large enough that bf16 rounding is far above fp32 noise.
    static let shapes = [(m: 37, n: 29, k: 300), (m: 1, n: 64, k: 1000), (m: 130, n: 7, k: 33)]

    @Test(arguments: shapes)
    func referenceProductIsTheExactProductOfRoundedInputs(shape: (m: Int, n: Int, k: Int)) {
        var r = TestRandom(11)
        let (m, n, k) = shape
        let a = r.normals(m * k), b = r.normals(n * k)
        var c = [Float](repeating: 0, count: m * n)
        let products = ProductInputs(precision: .bf16Reference)
        Linear.forward(y: &c, x: a, weight: b, bias: nil, n: m, inFeatures: k, outFeatures: n, products: products)
        let exact = reference(a.map(bf16), b.map(bf16), m: m, n: n, k: k)
        #expect(worstRelative(c, exact.c, exact.magnitude) <= 1e-5)
        // …and within the bf16 bound of the unrounded product, which it does not equal.
        let unrounded = reference(a, b, m: m, n: n, k: k)
        let error = worstRelative(c, unrounded.c, unrounded.magnitude)
        #expect(error <= 0x1p-8 && error > 1e-5, "relative error \(error)")
    }

    @Test(.enabled(if: nativeBF16, noNative), arguments: shapes)
    func nativeProductEqualsTheReferenceUpToSummationOrder(shape: (m: Int, n: Int, k: Int)) {
        var r = TestRandom(12)
        let (m, n, k) = shape
        let a = r.normals(m * k), b = r.normals(n * k), bias = r.normals(n)
        var native = [Float](repeating: 0, count: m * n), ref = native
        Linear.forward(y: &native, x: a, weight: b, bias: bias, n: m, inFeatures: k, outFeatures: n,
                       products: ProductInputs(precision: .bf16))
        Linear.forward(y: &ref, x: a, weight: b, bias: bias, n: m, inFeatures: k, outFeatures: n,
                       products: ProductInputs(precision: .bf16Reference))
        let exact = reference(a.map(bf16), b.map(bf16), m: m, n: n, k: k)
        #expect(worstRelative(native.enumerated().map { $1 - bias[$0 % n] }, exact.c, exact.magnitude) <= 1e-5)
        #expect(worstRelative(native, ref.map(Double.init), exact.magnitude) <= 1e-5)
    }

    /// The three products of a linear layer's backward read bf16 inputs (dy, x, W) and
    /// accumulate into fp32 gradients; native and reference agree up to summation order.
    @Test func linearBackwardRoundsEveryProductInputReference() throws { try linearBackward(.bf16Reference) }

    @Test(.enabled(if: nativeBF16, noNative))
    func linearBackwardRoundsEveryProductInputNative() throws { try linearBackward(.bf16) }

    func linearBackward(_ precision: Precision) throws {
        var r = TestRandom(13)
        let n = 23, i = 70, o = 41
        let x = r.normals(n * i), w = r.normals(o * i), dy = r.normals(n * o)
        var dx = [Float](repeating: 0.5, count: n * i), dw = [Float](repeating: 0.25, count: o * i), db = [Float](repeating: 0, count: o)
        Linear.backward(dx: &dx, dWeight: &dw, dBias: &db, dy: dy, x: x, weight: w, n: n, inFeatures: i, outFeatures: o,
                        products: ProductInputs(precision: precision))
        let xr = x.map(bf16), wr = w.map(bf16), dyr = dy.map(bf16)
        // dx = 0.5 + dy·W: as (n, o)·(o, i), i.e. reference(dy, Wᵀ).
        var wT = [Float](repeating: 0, count: o * i), dyT = [Float](repeating: 0, count: n * o), xT = [Float](repeating: 0, count: n * i)
        for a in 0..<o { for b in 0..<i { wT[b * o + a] = wr[a * i + b] } }
        for a in 0..<n { for b in 0..<o { dyT[b * n + a] = dyr[a * o + b] } }
        for a in 0..<n { for b in 0..<i { xT[b * n + a] = xr[a * i + b] } }
        let edx = reference(dyr, wT, m: n, n: i, k: o), edw = reference(dyT, xT, m: o, n: i, k: n)
        #expect(worstRelative(dx.map { $0 - 0.5 }, edx.c, edx.magnitude) <= 1e-5)
        #expect(worstRelative(dw.map { $0 - 0.25 }, edw.c, edw.magnitude) <= 1e-5)
        // The bias gradient is a plain fp32 sum of the unrounded dy.
        for j in 0..<o {
            let s = (0..<n).reduce(0.0) { $0 + Double(dy[$1 * o + j]) }
            #expect(abs(Double(db[j]) - s) <= 1e-5 * (1 + abs(s)))
        }
    }

    @Test func weightCopyIsRefreshedOnlyWhenAsked() {
        let block = FloatBuffer([1 + 0x1p-10, 2, 3 + 0x1p-9, 4, 5, 6])
        let copy = RoundedWeights(precision: .bf16Reference, base: block.pointer, ranges: [0..<2, 2..<4])
        copy.refresh()
        guard case let .fp32(p)? = copy.matrix(block.pointer), case let .fp32(q)? = copy.matrix(block.pointer + 2) else {
            Issue.record("no copy"); return
        }
        #expect(p[0] == 1 && p[1] == 2 && q[0] == bf16(3 + 0x1p-9) && q[1] == 4)
        #expect(copy.matrix(block.pointer + 1) == nil && copy.matrix(block.pointer + 4) == nil)
        block[1] = 7
        #expect(p[1] == 2, "the copy changes only on refresh")
        copy.refresh()
        #expect(p[1] == 7)
    }
}
