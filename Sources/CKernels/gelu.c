// Exact GELU (erf form, HF "gelu" = torch.nn.functional.gelu default), forward and backward,
// with the vectorizable erf/exp of ck_math.h (GELU abs error ≤ 2.1e-7·|x|).
#include "ckernels.h"
#include "dispatch.h"
#include "ck_math.h"

#define CK_SQRT1_2 0.70710678118654752440f
#define CK_INV_SQRT_2PI 0.39894228040143267794f

CK_MULTIVERSION
void ck_gelu_forward(float *y, const float *x, long n) {
    for (long i = 0; i < n; i++) y[i] = 0.5f * x[i] * (1.0f + ck_erf(x[i] * CK_SQRT1_2));
}

CK_MULTIVERSION
void ck_gelu_backward(float *dx, const float *x, const float *dy, long n) {
    for (long i = 0; i < n; i++) {
        float v = x[i];
        float cdf = 0.5f * (1.0f + ck_erf(v * CK_SQRT1_2));
        float pdf = CK_INV_SQRT_2PI * ck_exp(-0.5f * v * v);
        dx[i] += dy[i] * (cdf + v * pdf);
    }
}

CK_MULTIVERSION
void ck_gelu_backward_inplace(float *d, const float *x, long n) {
    for (long i = 0; i < n; i++) {
        float v = x[i];
        float cdf = 0.5f * (1.0f + ck_erf(v * CK_SQRT1_2));
        float pdf = CK_INV_SQRT_2PI * ck_exp(-0.5f * v * v);
        d[i] *= cdf + v * pdf;
    }
}
