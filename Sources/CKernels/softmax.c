// Row softmax for attention scores with a key mask, and its backward.
#include "ckernels.h"
#include "dispatch.h"
#include "ck_math.h"

CK_MULTIVERSION
void ck_softmax_masked_forward(float *s, long rows, long cols, long ld, float scale,
                               const int32_t *keep, const float *bias, long bias_ld) {
#pragma clang fp reassociate(on)
    for (long i = 0; i < rows; i++) {
        float *si = s + i * ld;
        const float *bi = bias ? bias + i * bias_ld : 0;
        float mx = -INFINITY;
        for (long j = 0; j < cols; j++) {
            float v = si[j] * scale + (bi ? bi[j] : 0.0f);
            si[j] = v;
            if (keep[j] && v > mx) mx = v;
        }
        float sum = 0;
        for (long j = 0; j < cols; j++) {
            float e = keep[j] ? ck_exp(si[j] - mx) : 0.0f;
            si[j] = e;
            sum += e;
        }
        float inv = 1.0f / sum;
        for (long j = 0; j < cols; j++) si[j] *= inv;
    }
}

CK_MULTIVERSION
void ck_softmax_backward(float *dp, const float *p, long rows, long cols, long ld) {
#pragma clang fp reassociate(on)
    for (long i = 0; i < rows; i++) {
        float *di = dp + i * ld;
        const float *pi = p + i * ld;
        float dot = 0;
        for (long j = 0; j < cols; j++) dot += di[j] * pi[j];
        for (long j = 0; j < cols; j++) di[j] = pi[j] * (di[j] - dot);
    }
}
