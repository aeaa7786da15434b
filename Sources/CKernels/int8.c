// Symmetric int8 quantization for inference products (--precision int8):
//   a row x (k) → q = round(x / s) clamped to [-127, 127], s = max|x| / 127 (s = 1 for a zero row),
// for activations one scale per row (computed on the fly), for weights one per output channel
// (once, at load). A product of two quantized operands accumulates exactly in int32 and is
// brought back to fp32 here:  y[i][j] = acc[i][j] · s_row[i] · s_col[j] + bias[j].
// Rounding is to nearest, ties to even (nearbyintf in the default rounding mode), the same as
// onnxruntime's and PyTorch's quantizers.
#include <math.h>

#include "ckernels.h"
#include "dispatch.h"

CK_MULTIVERSION
void ck_int8_quantize_rows(int8_t *q, float *scales, const float *x, long rows, long cols, long ld) {
    for (long r = 0; r < rows; r++) {
        const float *s = x + r * ld;
        int8_t *d = q + r * cols;
        float peak = 0;
        for (long j = 0; j < cols; j++) peak = fmaxf(peak, fabsf(s[j]));
        float scale = peak > 0 ? peak / 127.0f : 1.0f;
        float inverse = 1.0f / scale;
        for (long j = 0; j < cols; j++) {
            float v = nearbyintf(s[j] * inverse);
            d[j] = (int8_t)fminf(fmaxf(v, -127.0f), 127.0f);
        }
        scales[r] = scale;
    }
}

CK_MULTIVERSION
void ck_int8_dequantize(float *y, long ldy, const int32_t *acc, long rows, long cols, const float *row_scales,
                        const float *col_scales, const float *bias) {
    for (long r = 0; r < rows; r++) {
        const int32_t *a = acc + r * cols;
        float *d = y + r * ldy;
        float sr = row_scales[r];
        if (bias) {
            for (long j = 0; j < cols; j++) d[j] = (float)a[j] * (sr * col_scales[j]) + bias[j];
        } else {
            for (long j = 0; j < cols; j++) d[j] = (float)a[j] * (sr * col_scales[j]);
        }
    }
}

void ck_int8_matmul_reference(int32_t *c, const int8_t *a, const int8_t *b, long m, long n, long k) {
    for (long i = 0; i < m; i++)
        for (long j = 0; j < n; j++) {
            int32_t sum = 0;
            for (long p = 0; p < k; p++) sum += (int32_t)a[i * k + p] * (int32_t)b[j * k + p];
            c[i * n + j] = sum;
        }
}
