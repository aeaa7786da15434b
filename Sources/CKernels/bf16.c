// bf16 rounding: the top 16 bits of an fp32, rounded to nearest with ties to even (NaN stays a
// quiet NaN). The same rule whether the result is stored as bf16 bits (for oneDNN's bf16
// products) or widened back to fp32 (the reference bf16 path), so both see identical inputs.
#include "ckernels.h"
#include "dispatch.h"

static inline uint16_t round_bits(float f) {
    uint32_t u;
    __builtin_memcpy(&u, &f, 4);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 0x40);  // NaN: keep it quiet
    u += 0x7fffu + ((u >> 16) & 1u);
    return (uint16_t)(u >> 16);
}

CK_MULTIVERSION
void ck_bf16_from_f32(uint16_t *dst, const float *src, long rows, long cols, long ld) {
    for (long r = 0; r < rows; r++) {
        const float *s = src + r * ld;
        uint16_t *d = dst + r * cols;
        for (long j = 0; j < cols; j++) d[j] = round_bits(s[j]);
    }
}

CK_MULTIVERSION
void ck_bf16_round(float *dst, const float *src, long rows, long cols, long ld_src, long ld_dst) {
    for (long r = 0; r < rows; r++) {
        const float *s = src + r * ld_src;
        float *d = dst + r * ld_dst;
        for (long j = 0; j < cols; j++) {
            uint32_t u = (uint32_t)round_bits(s[j]) << 16;
            __builtin_memcpy(d + j, &u, 4);
        }
    }
}

CK_MULTIVERSION
void ck_bf16_to_f32(float *dst, const uint16_t *src, long n) {
    for (long i = 0; i < n; i++) {
        uint32_t u = (uint32_t)src[i] << 16;
        __builtin_memcpy(dst + i, &u, 4);
    }
}
