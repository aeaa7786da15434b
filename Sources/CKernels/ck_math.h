// Branch-free float exp and erf that the compiler vectorizes (libm's scalar calls do not).
//   ck_exp: Cephes-style range reduction x = n·ln2 + r, |r| ≤ ln2/2, degree-6 polynomial,
//           scaled by 2ⁿ through the exponent bits; max relative error 8.3e-8 on [−87, 88]
//           (measured against double exp). Inputs are clamped to [−87.3, 88].
//   ck_erf: the rational approximation x·P(x²)/Q(x²) on [−4, 4] (clamped outside, where
//           |erf| rounds to 1 in float) used by Eigen and XLA; max abs error 4.2e-7.
#pragma once
#include <math.h>
#include <stdint.h>

static inline float ck_exp(float x) {
    x = fminf(fmaxf(x, -87.33654f), 88.0f);
    float n = __builtin_rintf(x * 1.44269504088896341f);
    float r = x - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    int32_t e = ((int32_t)n + 127) << 23;
    return p * __builtin_bit_cast(float, e);
}

static inline float ck_erf(float x) {
    x = fminf(fmaxf(x, -4.0f), 4.0f);
    float x2 = x * x;
    float p = -2.72614225801306e-10f;
    p = p * x2 + 2.77068142495902e-08f;
    p = p * x2 + -2.10102402082508e-06f;
    p = p * x2 + -5.69250639462346e-05f;
    p = p * x2 + -7.34990630326855e-04f;
    p = p * x2 + -2.95459980854025e-03f;
    p = p * x2 + -1.60960333262415e-02f;
    p = p * x;
    float q = -1.45660718464996e-05f;
    q = q * x2 + -2.13374055278905e-04f;
    q = q * x2 + -1.68282697438203e-03f;
    q = q * x2 + -7.37332916720468e-03f;
    q = q * x2 + -1.42647390514189e-02f;
    return p / q;
}
