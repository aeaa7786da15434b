// LayerNorm forward/backward over rows of length c (PyTorch nn.LayerNorm on the last dim).
#include "ckernels.h"
#include "dispatch.h"
#include <math.h>

CK_MULTIVERSION
void ck_layernorm_forward(float *y, float *mean, float *rstd, const float *x,
                          const float *gamma, const float *beta, long n, long c, float eps) {
#pragma clang fp reassociate(on)
    for (long i = 0; i < n; i++) {
        const float *xi = x + i * c;
        float *yi = y + i * c;
        float s = 0;
        for (long j = 0; j < c; j++) s += xi[j];
        float m = s / (float)c;
        float v = 0;
        for (long j = 0; j < c; j++) { float d = xi[j] - m; v += d * d; }
        v /= (float)c;
        float r = 1.0f / sqrtf(v + eps);
        for (long j = 0; j < c; j++) yi[j] = (xi[j] - m) * r * gamma[j] + beta[j];
        mean[i] = m;
        rstd[i] = r;
    }
}

CK_MULTIVERSION
void ck_layernorm_backward(float *dx, float *dgamma, float *dbeta, const float *dy,
                           const float *x, const float *mean, const float *rstd,
                           const float *gamma, long n, long c, int accumulate) {
#pragma clang fp reassociate(on)
    for (long i = 0; i < n; i++) {
        const float *xi = x + i * c, *dyi = dy + i * c;
        float *dxi = dx + i * c;
        float m = mean[i], r = rstd[i];
        // mean(dnorm) and mean(dnorm·x̂)
        float a = 0, b = 0;
        for (long j = 0; j < c; j++) {
            float xh = (xi[j] - m) * r;
            float dn = dyi[j] * gamma[j];
            a += dn;
            b += dn * xh;
        }
        a /= (float)c;
        b /= (float)c;
        for (long j = 0; j < c; j++) {
            float xh = (xi[j] - m) * r;
            float dn = dyi[j] * gamma[j];
            dgamma[j] += dyi[j] * xh;
            dbeta[j] += dyi[j];
            float g = r * (dn - a - xh * b);
            dxi[j] = accumulate ? dxi[j] + g : g;
        }
    }
}
