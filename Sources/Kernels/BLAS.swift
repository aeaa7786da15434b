// The only file that calls the matrix-product library: oneDNN's matmul primitive (Debian:
// libdnnl-dev), through the COneDNN shim, which caches one primitive per shape. oneDNN picks its
// kernels for the CPU at run time (brgemm on AVX-512/AMX, jit gemm on AVX2); measured on one
// AMD Zen 4 machine, 2 threads, MiniLM's shapes, it ran fp32 at 435–475 GFLOP/s against
// OpenBLAS 0.3.21's 225–245 (AVX2 kernels; with its own choice of kernels it lost too), and
// with its ISA capped to AVX2 at 238–264, so there is no CPU kind on which OpenBLAS is kept
// (Benchmarks/results/gemm-libraries.md). bf16 products run at 700–900 GFLOP/s there.
// Everything is row-major, matching PyTorch's memory layout: a weight W (out, in) times activations
// X (rows, in) is `gemm(transB: true)`: Y (rows, out) = X · Wᵀ.

import COneDNN

/// A matrix a product reads: fp32 values, or bf16 bit patterns (the top half of an fp32).
public enum MatrixData {
    case fp32(UnsafePointer<Float>)
    case bf16(UnsafePointer<UInt16>)
}

public enum BLAS {
    /// C (m×n) = alpha · op(A) · op(B) + beta · C, row-major, with leading dimensions (row strides)
    /// lda, ldb, ldc. op(A) is m×k (A is k×m when transA), op(B) is k×n (B is n×k when transB).
    @inline(__always)
    public static func gemm(
        transA: Bool = false, transB: Bool = false,
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: .fp32(a), lda: lda, b: .fp32(b), ldb: ldb,
             beta: beta, c: c, ldc: ldc)
    }

    /// The same product with both inputs fp32 or both bf16; C is fp32 either way (a bf16 product
    /// multiplies exactly and accumulates in fp32). `bias` (n), if given, is added to every row of
    /// C inside the product's kernel: C = alpha·op(A)·op(B) + bias + beta·C.
    public static func gemm(
        transA: Bool = false, transB: Bool = false,
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: MatrixData, lda: Int,
        b: MatrixData, ldb: Int,
        bias: UnsafePointer<Float>? = nil,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        if m == 0 || n == 0 { return }
        if k == 0 {  // C = bias + beta·C (oneDNN wants k ≥ 1)
            for i in 0..<m {
                for j in 0..<n { c[i * ldc + j] = (bias?[j] ?? 0) + (beta == 0 ? 0 : beta * c[i * ldc + j]) }
            }
            return
        }
        let type: od_type, pa: UnsafeRawPointer, pb: UnsafeRawPointer
        switch (a, b) {
        case let (.fp32(x), .fp32(y)): type = OD_F32; pa = UnsafeRawPointer(x); pb = UnsafeRawPointer(y)
        case let (.bf16(x), .bf16(y)): type = OD_BF16; pa = UnsafeRawPointer(x); pb = UnsafeRawPointer(y)
        default: preconditionFailure("a product's inputs are both fp32 or both bf16")
        }
        let status = od_matmul(type, transA ? 1 : 0, transB ? 1 : 0, m, n, k, alpha, pa, lda, pb, ldb, bias, beta, c, ldc)
        if status != 0 {
            // Not recoverable: oneDNN could not run a product of a valid shape (out of memory, or a
            // broken installation). Name it instead of returning garbage.
            fatalError("oneDNN matmul \(m)×\(k)·\(k)×\(n) (\(type == OD_BF16 ? "bf16" : "fp32")) failed: \(String(cString: od_status_name(status)))")
        }
    }

    /// C (m, n) int32 = A (m, k) · B (n, k)ᵀ for int8 A and B (symmetric; see Int8Products.swift),
    /// accumulated exactly in int32 (VNNI dot products where the CPU has them).
    public static func gemmInt8(m: Int, n: Int, k: Int, a: UnsafePointer<Int8>, lda: Int, b: UnsafePointer<Int8>, ldb: Int,
                                c: UnsafeMutablePointer<Int32>, ldc: Int) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            for i in 0..<m { (c + i * ldc).update(repeating: 0, count: n) }
            return
        }
        let status = od_matmul_s8(m, n, k, a, lda, b, ldb, c, ldc)
        if status != 0 {
            fatalError("oneDNN matmul \(m)×\(k)·\(k)×\(n) (int8) failed: \(String(cString: od_status_name(status)))")
        }
    }

    /// y (m) = alpha · op(A) · x + beta · y, A row-major m×n (n×m when trans).
    public static func gemv(
        trans: Bool = false, m: Int, n: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, x: UnsafePointer<Float>,
        beta: Float = 0, y: UnsafeMutablePointer<Float>
    ) {
        // y as an (m, 1) column: op(A) (m, n) · x (n, 1).
        gemm(transA: trans, m: m, n: 1, k: n, alpha: alpha, a: a, lda: lda, b: x, ldb: 1, beta: beta, c: y, ldc: 1)
    }

    /// The threads oneDNN uses for products called from this thread.
    public static var threads: Int {
        get { Int(od_threads()) }
        set { od_set_threads(Int32(newValue)) }
    }

    /// oneDNN's version and the instruction set its kernels use on this CPU, e.g.
    /// "oneDNN 2.6.3, avx512_core_bf16".
    public static var library: String { "oneDNN \(String(cString: od_version())), \(String(cString: od_isa_name()))" }

    /// The kernel oneDNN picks for a product (e.g. "brg:avx512_core_bf16"), for benchmarks.
    public static func implementation(bf16: Bool, transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
                                      lda: Int, ldb: Int, ldc: Int) -> String {
        od_matmul_implementation(bf16 ? OD_BF16 : OD_F32, transA ? 1 : 0, transB ? 1 : 0, m, n, k, lda, ldb, ldc)
            .map { String(cString: $0) } ?? "none"
    }

    /// The kernel oneDNN picks for an int8 product (A (m, k) · B (n, k)ᵀ), e.g. "brg:avx512_core_vnni".
    public static func implementationInt8(m: Int, n: Int, k: Int) -> String {
        od_matmul_implementation(OD_S8, 0, 1, m, n, k, k, k, n).map { String(cString: $0) } ?? "none"
    }
}
