// int8 linear layers for inference (--precision int8):
//   W (out, in) → W_q, s_w (out): per output channel, once at load (QuantizedWeights)
//   x (n, in)   → x_q, s_x (n):   per row, at every product
//   y[i][j] = (Σ_k x_q[i][k] · W_q[j][k]) · s_x[i] · s_w[j] + b[j]
// with q = round-half-even(v / s) in [-127, 127], s = max|v| / 127 (CKernels int8.c). The sum is
// exact in int32 (oneDNN's s8·s8 matmul, VNNI where the CPU has it); oneDNN 2.6's output scales
// cannot take a per-row and a per-column scale at once, so the scaling is our own pass.
// Error: each product term is off by at most |x|·s_w/2 + |W|·s_x/2 + s_x·s_w/4 (the rounding of
// both operands), so |Δy[i][j]| ≤ ½(s_w[j]·‖x_i‖₁ + s_x[i]·‖W_j‖₁) + k·s_x[i]·s_w[j]/4.

import CKernels

/// Per-output-channel int8 copies of weight matrices, looked up by the fp32 matrix's address.
public final class QuantizedWeights: @unchecked Sendable {
    private struct Entry { let values: Int, scales: Int, rows: Int, cols: Int }
    private let index: [UnsafePointer<Float>: Entry]
    private let values: UnsafeMutablePointer<Int8>
    private let scales: UnsafeMutablePointer<Float>

    /// Quantizes the (rows, cols) matrices at `base + offset` now.
    public init(base: UnsafePointer<Float>, matrices: [(offset: Int, rows: Int, cols: Int)]) {
        var index: [UnsafePointer<Float>: Entry] = [:], valueCount = 0, scaleCount = 0
        for m in matrices {
            index[base + m.offset] = Entry(values: valueCount, scales: scaleCount, rows: m.rows, cols: m.cols)
            valueCount += m.rows * m.cols
            scaleCount += m.rows
        }
        self.index = index
        values = .allocate(capacity: max(1, valueCount))
        scales = .allocate(capacity: max(1, scaleCount))
        for (w, e) in index {
            Parallel.chunks(e.rows, minPerChunk: 64) { _, r in
                ck_int8_quantize_rows(values + e.values + r.lowerBound * e.cols, scales + e.scales + r.lowerBound,
                                      w + r.lowerBound * e.cols, r.count, e.cols, e.cols)
            }
        }
    }

    deinit { values.deallocate(); scales.deallocate() }

    /// The quantized copy of the matrix whose fp32 original starts at `w`, or nil.
    public func matrix(_ w: UnsafePointer<Float>) -> (values: UnsafePointer<Int8>, scales: UnsafePointer<Float>)? {
        guard let e = index[w] else { return nil }
        return (UnsafePointer(values + e.values), UnsafePointer(scales + e.scales))
    }
}

extension ProductInputs {
    /// y (n, out) = x (n, in) · Wᵀ + b through int8 products (see the top of this file). The weight
    /// comes from `quantized` if it holds it, else is quantized into scratch for this call.
    func int8Linear(y: UnsafeMutablePointer<Float>, ldy: Int, x: UnsafePointer<Float>, ldx: Int,
                    weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?, n: Int, inFeatures: Int, outFeatures: Int) {
        precondition(precision == .int8, "int8 products in a workspace of another precision")
        let xq = scratch(0, bytes: n * inFeatures).bindMemory(to: Int8.self, capacity: n * inFeatures)
        let xs = scratch(1, bytes: n * 4).bindMemory(to: Float.self, capacity: n)
        Parallel.chunks(n, minPerChunk: 16) { _, r in
            ck_int8_quantize_rows(xq + r.lowerBound * inFeatures, xs + r.lowerBound, x + r.lowerBound * ldx,
                                  r.count, inFeatures, ldx)
        }
        let wq: UnsafePointer<Int8>, ws: UnsafePointer<Float>
        if let copy = quantized?.matrix(weight) {
            (wq, ws) = copy
        } else {
            let q = scratch(3, bytes: outFeatures * inFeatures).bindMemory(to: Int8.self, capacity: outFeatures * inFeatures)
            let s = scratch(4, bytes: outFeatures * 4).bindMemory(to: Float.self, capacity: outFeatures)
            ck_int8_quantize_rows(q, s, weight, outFeatures, inFeatures, inFeatures)
            (wq, ws) = (UnsafePointer(q), UnsafePointer(s))
        }
        let acc = scratch(2, bytes: n * outFeatures * 4).bindMemory(to: Int32.self, capacity: n * outFeatures)
        BLAS.gemmInt8(m: n, n: outFeatures, k: inFeatures, a: xq, lda: inFeatures, b: wq, ldb: inFeatures,
                      c: acc, ldc: outFeatures)
        Parallel.chunks(n, minPerChunk: 16) { _, r in
            ck_int8_dequantize(y + r.lowerBound * ldy, ldy, acc + r.lowerBound * outFeatures, r.count, outFeatures,
                               xs + r.lowerBound, ws, bias)
        }
    }
}
