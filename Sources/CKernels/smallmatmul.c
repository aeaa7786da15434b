// Small strided matrix products for attention heads (T × T by T × d, d = 32…128), written as
// row updates (axpy over the contiguous last dimension) so they vectorize without horizontal
// sums. They run inside the caller's per-head parallel loop and never touch BLAS threading.
#include "ckernels.h"
#include "dispatch.h"

// C (m, n) (+)= alpha · A (m, k) · B (k, n); rows strided by lda, ldb, ldc.
CK_MULTIVERSION
void ck_matmul_nn(float *restrict c, const float *restrict a, const float *restrict b, long m, long n, long k,
                  long lda, long ldb, long ldc, float alpha, int accumulate) {
    for (long i = 0; i < m; i++) {
        float *ci = c + i * ldc;
        if (!accumulate) for (long j = 0; j < n; j++) ci[j] = 0;
        const float *ai = a + i * lda;
        for (long p = 0; p < k; p++) {
            float s = alpha * ai[p];
            if (s == 0) continue;
            const float *bp = b + p * ldb;
            for (long j = 0; j < n; j++) ci[j] += s * bp[j];
        }
    }
}

// C (m, n) (+)= alpha · Aᵀ · B with A (k, m), B (k, n).
CK_MULTIVERSION
void ck_matmul_tn(float *restrict c, const float *restrict a, const float *restrict b, long m, long n, long k,
                  long lda, long ldb, long ldc, float alpha, int accumulate) {
    if (!accumulate) for (long i = 0; i < m; i++) for (long j = 0; j < n; j++) c[i * ldc + j] = 0;
    for (long p = 0; p < k; p++) {
        const float *ap = a + p * lda, *bp = b + p * ldb;
        for (long i = 0; i < m; i++) {
            float s = alpha * ap[i];
            if (s == 0) continue;
            float *ci = c + i * ldc;
            for (long j = 0; j < n; j++) ci[j] += s * bp[j];
        }
    }
}

// T (n, m) = Aᵀ for A (m, n) with row stride lda (T dense).
CK_MULTIVERSION
void ck_transpose(float *restrict t, const float *restrict a, long m, long n, long lda) {
    for (long i = 0; i < m; i++)
        for (long j = 0; j < n; j++) t[j * m + i] = a[i * lda + j];
}
