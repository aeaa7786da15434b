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

// C (m, n) = alpha · A (m, k) · Bᵀ for B (n, k). B is transposed into scratch with its rows
// padded to a multiple of 16 (zeros), so the row updates run over whole vectors even when n = T
// is below 16 (where ck_matmul_nn's loop would be left to scalar code); each entry is summed in
// the same order as ck_matmul_nn over an explicit transpose, so the results are identical.
CK_MULTIVERSION
void ck_matmul_nt(float *restrict c, const float *restrict a, const float *restrict b, long m, long n, long k,
                  long lda, long ldb, long ldc, float alpha, float *restrict scratch) {
    const long np = (n + 15) / 16 * 16;
    float *bt = scratch, *row = scratch + k * np;
    for (long p = 0; p < k; p++) {
        float *btp = bt + p * np;
        for (long j = 0; j < n; j++) btp[j] = b[j * ldb + p];
        for (long j = n; j < np; j++) btp[j] = 0;
    }
    for (long i = 0; i < m; i++) {
        const float *ai = a + i * lda;
        for (long j = 0; j < np; j++) row[j] = 0;
        for (long p = 0; p < k; p++) {
            float s = alpha * ai[p];
            if (s == 0) continue;
            const float *btp = bt + p * np;
            for (long j = 0; j < np; j++) row[j] += s * btp[j];
        }
        for (long j = 0; j < n; j++) c[i * ldc + j] = row[j];
    }
}

