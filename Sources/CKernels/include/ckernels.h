// Small C kernels for the hot element-wise loops of the encoder. Each is compiled for several
// x86-64 levels (target_clones) and dispatched at load time, so the package needs no unsafe flags.
// All arrays are row-major float32; `long` sizes. Backward kernels ACCUMULATE into their
// gradient outputs (dx += …), llm.c style, so residual fan-out needs no special case.
#pragma once
#include <stddef.h>
#include <stdint.h>

/// 1 if the CPU supports AVX2+FMA, 2 if AVX-512F too, 0 otherwise (for reporting).
int ck_cpu_level(void);

// MARK: - LayerNorm over the last dimension
/// x, y (n, c); mean, rstd (n). y = (x − μ)·rstd·γ + β, rstd = 1/sqrt(var + eps), var biased.
void ck_layernorm_forward(float *y, float *mean, float *rstd, const float *x,
                          const float *gamma, const float *beta, long n, long c, float eps);
/// dx (n, c) += ∂L/∂x (or = when accumulate is 0); dgamma, dbeta (c) += ∂L/∂γ, ∂L/∂β. x is the
/// forward input. dnorm = dy·γ; dx = rstd·(dnorm − mean(dnorm) − x̂·mean(dnorm·x̂)).
void ck_layernorm_backward(float *dx, float *dgamma, float *dbeta, const float *dy,
                           const float *x, const float *mean, const float *rstd,
                           const float *gamma, long n, long c, int accumulate);

// MARK: - GELU (exact, erf form): y = ½·x·(1 + erf(x/√2))
void ck_gelu_forward(float *y, const float *x, long n);
/// dx += dy · (½(1 + erf(x/√2)) + x·φ(x)), φ the standard normal density.
void ck_gelu_backward(float *dx, const float *x, const float *dy, long n);
/// d ← d · GELU′(x) in place (the gradient through GELU, overwriting the upstream gradient).
void ck_gelu_backward_inplace(float *d, const float *x, long n);

// MARK: - Softmax over rows of attention scores with a key mask
/// s (rows, cols) with row stride ld, in place: s ← softmax(scale·s + bias) over the columns j
/// with keep[j] ≠ 0; masked columns get exactly 0 (HF adds finfo.min, whose exp underflows to 0).
/// bias (rows, cols) with row stride bias_ld, or NULL for none (MPNet's relative position bias).
void ck_softmax_masked_forward(float *s, long rows, long cols, long ld, float scale,
                               const int32_t *keep, const float *bias, long bias_ld);
/// In place on dp (rows, cols): dp ← p ⊙ (dp − Σⱼ dpⱼ·pⱼ), the softmax backward (scale not applied).
void ck_softmax_backward(float *dp, const float *p, long rows, long cols, long ld);

// MARK: - Dropout with a counter-based generator
/// The keep decision for element `index` of `stream`: keep iff u ≥ p, u = uniform [0,1) from
/// splitmix64(splitmix64(seed ^ stream·K) ^ index) (same as Swift's CounterRng).
/// y = x·keep/(1−p) for n elements starting at `first`; x may alias y.
void ck_dropout_forward(float *y, const float *x, long n, float p, uint64_t seed,
                        uint64_t stream, uint64_t first);
/// dx += dy·keep/(1−p) (regenerating the forward's mask); dx may alias dy only if accumulate is 0.
/// accumulate = 0 overwrites dx instead.
void ck_dropout_backward(float *dx, const float *dy, long n, float p, uint64_t seed,
                         uint64_t stream, uint64_t first, int accumulate);

/// In place: d ← d·scale where kept ≠ 0, else 0 (the dropout backward read off the forward's
/// output: a dropped entry is exactly 0, a kept one of a positive input is positive).
void ck_dropout_backward_kept(float *d, const float *kept, long n, float scale);

// MARK: - Small strided matrix products (attention heads)
/// C (m, n) (+)= alpha · A (m, k) · B (k, n); row strides lda, ldb, ldc; accumulate 0 overwrites C.
void ck_matmul_nn(float *c, const float *a, const float *b, long m, long n, long k,
                  long lda, long ldb, long ldc, float alpha, int accumulate);
/// C (m, n) = alpha · A (m, k) · Bᵀ with B (n, k); `scratch` holds ck_matmul_nt_scratch(n, k) floats.
/// Equal to ck_matmul_nn over Bᵀ, bit for bit.
void ck_matmul_nt(float *c, const float *a, const float *b, long m, long n, long k,
                  long lda, long ldb, long ldc, float alpha, float *scratch);
/// Floats of scratch ck_matmul_nt needs: (k + 1) · n rounded up to 16.
static inline long ck_matmul_nt_scratch(long n, long k) { return (k + 1) * ((n + 15) / 16 * 16); }
/// C (m, n) (+)= alpha · Aᵀ · B with A (k, m), B (k, n).
void ck_matmul_tn(float *c, const float *a, const float *b, long m, long n, long k,
                  long lda, long ldb, long ldc, float alpha, int accumulate);

// MARK: - bf16 rounding (round to nearest, ties to even; NaN stays NaN)
/// dst (rows, cols) dense bf16 bit patterns from src (rows, cols) with row stride ld.
void ck_bf16_from_f32(uint16_t *dst, const float *src, long rows, long cols, long ld);
/// dst = src rounded to bf16 and widened back to fp32 (the low 16 bits zero); row strides
/// ld_src, ld_dst; dst may alias src (same strides).
void ck_bf16_round(float *dst, const float *src, long rows, long cols, long ld_src, long ld_dst);
/// dst (n) fp32 from bf16 bit patterns (exact).
void ck_bf16_to_f32(float *dst, const uint16_t *src, long n);

// MARK: - int8 (symmetric, per row / per output channel; see int8.c)
/// q (rows, cols) dense and scales (rows) from x (rows, cols) with row stride ld:
/// scales[r] = max_j |x[r][j]| / 127 (1 for a zero row), q = round-half-even(x / scale) in [-127, 127].
void ck_int8_quantize_rows(int8_t *q, float *scales, const float *x, long rows, long cols, long ld);
/// y[r][j] (row stride ldy) = acc[r][j] · row_scales[r] · col_scales[j] (+ bias[j] if bias); acc dense (rows, cols).
void ck_int8_dequantize(float *y, long ldy, const int32_t *acc, long rows, long cols, const float *row_scales,
                        const float *col_scales, const float *bias);
/// c (m, n) = a (m, k) · b (n, k)ᵀ in exact int32, a plain loop (the tests' reference for oneDNN's).
void ck_int8_matmul_reference(int32_t *c, const int8_t *a, const int8_t *b, long m, long n, long k);
