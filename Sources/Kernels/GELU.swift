// Exact GELU, y = ½·x·(1 + erf(x/√2)) (HF hidden_act "gelu"), element-wise, split across threads.

import CKernels

public enum GELU {
    public static func forward(y: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, count: Int) {
        Parallel.chunks(count, minPerChunk: 4096) { _, r in
            ck_gelu_forward(y + r.lowerBound, x + r.lowerBound, r.count)
        }
    }

    /// d ← d·GELU′(x), in place.
    public static func backwardInPlace(_ d: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, count: Int) {
        Parallel.chunks(count, minPerChunk: 4096) { _, r in
            ck_gelu_backward_inplace(d + r.lowerBound, x + r.lowerBound, r.count)
        }
    }

    /// dx += dy·GELU′(x).
    public static func backward(dx: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, dy: UnsafePointer<Float>, count: Int) {
        Parallel.chunks(count, minPerChunk: 4096) { _, r in
            ck_gelu_backward(dx + r.lowerBound, x + r.lowerBound, dy + r.lowerBound, r.count)
        }
    }
}
