// The only file that calls BLAS (OpenBLAS's CBLAS interface through the CBLAS system module).
// Everything is row-major, matching PyTorch's memory layout: a weight W (out, in) times activations
// X (rows, in) is `gemm(transB: true)`: Y (rows, out) = X · Wᵀ.

import CBLAS

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
        if m == 0 || n == 0 { return }
        cblas_sgemm(
            CblasRowMajor,
            transA ? CblasTrans : CblasNoTrans,
            transB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k),
            alpha, a, Int32(lda), b, Int32(ldb),
            beta, c, Int32(ldc))
    }

    /// y (m) = alpha · op(A) · x + beta · y, A row-major m×n (n×m when trans).
    public static func gemv(
        trans: Bool = false, m: Int, n: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, x: UnsafePointer<Float>,
        beta: Float = 0, y: UnsafeMutablePointer<Float>
    ) {
        cblas_sgemv(
            CblasRowMajor, trans ? CblasTrans : CblasNoTrans, Int32(m), Int32(n),
            alpha, a, Int32(lda), x, 1, beta, y, 1)
    }

    /// The number of threads BLAS uses for one call.
    public static var threads: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(newValue)) }
    }
}
