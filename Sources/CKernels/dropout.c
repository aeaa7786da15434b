// Dropout whose mask is a pure function of (seed, stream, element index): the backward pass
// regenerates it instead of storing it, and the result does not depend on thread splitting.
#include "ckernels.h"
#include "dispatch.h"

static inline uint64_t ck_splitmix64(uint64_t x) {
    uint64_t z = x + 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static inline float ck_uniform(uint64_t key, uint64_t index) {
    return (float)(ck_splitmix64(key ^ index) >> 40) * (1.0f / 16777216.0f);
}

static inline uint64_t ck_stream_key(uint64_t seed, uint64_t stream) {
    return ck_splitmix64(seed ^ (stream * 0xD6E8FEB86659FD93ull));
}

CK_MULTIVERSION
void ck_dropout_forward(float *y, const float *x, long n, float p, uint64_t seed,
                        uint64_t stream, uint64_t first) {
    uint64_t key = ck_stream_key(seed, stream);
    float scale = 1.0f / (1.0f - p);
    for (long i = 0; i < n; i++) {
        float u = ck_uniform(key, first + (uint64_t)i);
        y[i] = u >= p ? x[i] * scale : 0.0f;
    }
}

CK_MULTIVERSION
void ck_dropout_backward(float *dx, const float *dy, long n, float p, uint64_t seed,
                         uint64_t stream, uint64_t first, int accumulate) {
    uint64_t key = ck_stream_key(seed, stream);
    float scale = 1.0f / (1.0f - p);
    for (long i = 0; i < n; i++) {
        float u = ck_uniform(key, first + (uint64_t)i);
        float g = u >= p ? dy[i] * scale : 0.0f;
        dx[i] = accumulate ? dx[i] + g : g;
    }
}

CK_MULTIVERSION
void ck_dropout_backward_kept(float *d, const float *kept, long n, float scale) {
    for (long i = 0; i < n; i++) d[i] = kept[i] != 0 ? d[i] * scale : 0;
}
