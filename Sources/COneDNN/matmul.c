// oneDNN matmul with a cache of primitives keyed by everything that defines one (type,
// transpositions, shape, strides, alpha, beta). oneDNN chooses its kernels for the CPU at run time
// (brgemm for AVX-512/AMX, jit gemm for AVX2). One lock guards the cache and the execution, so
// concurrent callers take turns; each call already uses all the threads.
#include "onednn_matmul.h"

#include <oneapi/dnnl/dnnl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// The OpenMP runtime Debian's oneDNN runs on (libgomp); declared here because clang does not ship
// gcc's omp.h. Standard OpenMP API.
int omp_get_max_threads(void);
void omp_set_num_threads(int);

typedef struct {
    int type, trans_a, trans_b, has_bias;
    int threads;  // oneDNN fixes a primitive's thread count when it creates it
    long m, n, k, lda, ldb, ldc;
    float alpha, beta;
} od_key;

typedef struct {
    od_key key;
    dnnl_primitive_t primitive;
    dnnl_memory_t a, b, c, bias;  // created once; their data handles are set per call
    dnnl_memory_t scratch;         // NULL when the primitive needs no scratchpad
    size_t scratch_bytes;
    const char *implementation;
    unsigned long last_use;
} od_entry;

// A server's or an encode's batches have new row counts every time, but `piece` (below) bounds
// them to about 30 below 256 per layout (4 layouts in a BERT layer's inference): with fewer
// entries than that, the cache evicted and JIT-compiled primitives on nearly every batch
// (requests/s at 8 clients with int8: 667 → 1025 with this size). Each entry is small: its
// scratchpad is the one shared buffer below, not its own.
enum { OD_CACHE = 256 };

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static dnnl_engine_t engine;
static dnnl_stream_t stream;
static int engine_status = -1;  // -1: not yet created
static od_entry cache[OD_CACHE];
static int cached;
static unsigned long clock_ticks;
// One scratchpad for every primitive (oneDNN's user scratchpad mode): products run one at a time
// under `lock`, so they can share it; grown to the largest any primitive has asked for.
static void *scratch_buffer;
static size_t scratch_capacity;

// oneDNN marks every primitive execution for Intel's profiler API (ITT) unless told not to. On a
// Zen 4 VM those marks cost a kernel round trip each (native_write_msr in perf), which took a
// quarter of a server's time on one-sentence batches (requests/s at 8 clients 979 → 1327 without
// them). Off unless the user set DNNL_ITT_TASK_LEVEL; set before main, as oneDNN reads it once.
__attribute__((constructor)) static void od_quiet_profiler_marks(void) { setenv("DNNL_ITT_TASK_LEVEL", "0", 0); }

static int ensure_engine(void) {
    if (engine_status == -1) {
        // Our cache keeps the primitives in use; oneDNN's own (1024 by default) would keep one for
        // every row count a packed batch ever had, and memory would grow with the input.
        dnnl_set_primitive_cache_capacity(0);
        engine_status = dnnl_engine_create(&engine, dnnl_cpu, 0);
        if (engine_status == dnnl_success) engine_status = dnnl_stream_create(&stream, engine, dnnl_stream_default_flags);
    }
    return engine_status;
}

static void release(od_entry *e) {
    dnnl_memory_destroy(e->a);
    dnnl_memory_destroy(e->b);
    dnnl_memory_destroy(e->c);
    if (e->bias) dnnl_memory_destroy(e->bias);
    if (e->scratch) dnnl_memory_destroy(e->scratch);
    dnnl_primitive_destroy(e->primitive);
    memset(e, 0, sizeof *e);
}

/// Builds the primitive and memory objects of `key` into `e`.
static int create(const od_key *key, od_entry *e) {
    dnnl_data_type_t in = key->type == OD_BF16 ? dnnl_bf16 : key->type == OD_S8 ? dnnl_s8 : dnnl_f32;
    dnnl_data_type_t out = key->type == OD_S8 ? dnnl_s32 : dnnl_f32;
    dnnl_dims_t a_dims = {key->m, key->k}, b_dims = {key->k, key->n}, c_dims = {key->m, key->n};
    dnnl_dims_t a_strides = {key->trans_a ? 1 : key->lda, key->trans_a ? key->lda : 1};
    dnnl_dims_t b_strides = {key->trans_b ? 1 : key->ldb, key->trans_b ? key->ldb : 1};
    dnnl_dims_t c_strides = {key->ldc, 1};
    dnnl_dims_t bias_dims = {1, key->n}, bias_strides = {key->n, 1};
    dnnl_memory_desc_t a_md, b_md, c_md, bias_md;
    dnnl_matmul_desc_t desc;
    dnnl_primitive_attr_t attr = NULL;
    dnnl_post_ops_t post_ops = NULL;
    dnnl_primitive_desc_t pd = NULL;
    int s;
    memset(e, 0, sizeof *e);
    if ((s = dnnl_memory_desc_init_by_strides(&a_md, 2, a_dims, in, a_strides))) return s;
    if ((s = dnnl_memory_desc_init_by_strides(&b_md, 2, b_dims, in, b_strides))) return s;
    if ((s = dnnl_memory_desc_init_by_strides(&c_md, 2, c_dims, out, c_strides))) return s;
    if (key->has_bias && (s = dnnl_memory_desc_init_by_strides(&bias_md, 2, bias_dims, dnnl_f32, bias_strides))) return s;
    if ((s = dnnl_matmul_desc_init(&desc, &a_md, &b_md, key->has_bias ? &bias_md : NULL, &c_md))) return s;
    if ((s = dnnl_primitive_attr_create(&attr))) return s;
    if ((s = dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user))) goto done;
    if (key->alpha != 1 && (s = dnnl_primitive_attr_set_output_scales(attr, 1, 0, &key->alpha))) goto done;
    if (key->beta != 0) {  // C = alpha·AB + beta·C: oneDNN's sum post-op
        if ((s = dnnl_post_ops_create(&post_ops))) goto done;
        if ((s = dnnl_post_ops_append_sum(post_ops, key->beta))) goto done;
        if ((s = dnnl_primitive_attr_set_post_ops(attr, post_ops))) goto done;
    }
    if ((s = dnnl_primitive_desc_create(&pd, &desc, attr, engine, NULL))) goto done;
    if ((s = dnnl_primitive_create(&e->primitive, pd))) goto done;
    const char *impl = NULL;
    dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl);
    e->implementation = impl ? strdup(impl) : "unknown";  // kept for the process's life
    if ((s = dnnl_memory_create(&e->a, &a_md, engine, DNNL_MEMORY_NONE))) goto done;
    if ((s = dnnl_memory_create(&e->b, &b_md, engine, DNNL_MEMORY_NONE))) goto done;
    if ((s = dnnl_memory_create(&e->c, &c_md, engine, DNNL_MEMORY_NONE))) goto done;
    if (key->has_bias && (s = dnnl_memory_create(&e->bias, &bias_md, engine, DNNL_MEMORY_NONE))) goto done;
    const dnnl_memory_desc_t *scratch_md = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
    e->scratch_bytes = scratch_md ? dnnl_memory_desc_get_size(scratch_md) : 0;
    if (e->scratch_bytes && (s = dnnl_memory_create(&e->scratch, scratch_md, engine, DNNL_MEMORY_NONE))) goto done;
    e->key = *key;
done:
    if (s && e->primitive) release(e);
    if (pd) dnnl_primitive_desc_destroy(pd);
    if (post_ops) dnnl_post_ops_destroy(post_ops);
    if (attr) dnnl_primitive_attr_destroy(attr);
    return s;
}

/// The cache entry for `key`, created (evicting the least recently used) if needed. Under lock.
static int lookup(const od_key *key, od_entry **out) {
    int s = ensure_engine();
    if (s) return s;
    for (int i = 0; i < cached; i++) {
        if (memcmp(&cache[i].key, key, sizeof *key) == 0) {
            cache[i].last_use = ++clock_ticks;
            *out = &cache[i];
            return dnnl_success;
        }
    }
    int slot = cached;
    if (cached == OD_CACHE) {
        slot = 0;
        for (int i = 1; i < OD_CACHE; i++)
            if (cache[i].last_use < cache[slot].last_use) slot = i;
        release(&cache[slot]);
    } else {
        cached++;
    }
    if ((s = create(key, &cache[slot]))) {
        cache[slot] = cache[--cached];  // keep the cache dense
        memset(&cache[cached], 0, sizeof cache[cached]);
        return s;
    }
    cache[slot].last_use = ++clock_ticks;
    *out = &cache[slot];
    return dnnl_success;
}

static od_key make_key(od_type type, int trans_a, int trans_b, long m, long n, long k, float alpha,
                       long lda, long ldb, int has_bias, float beta, long ldc) {
    od_key key;
    memset(&key, 0, sizeof key);  // padding bytes too: keys are compared with memcmp
    key.type = type; key.trans_a = trans_a != 0; key.trans_b = trans_b != 0;
    key.m = m; key.n = n; key.k = k; key.lda = lda; key.ldb = ldb; key.ldc = ldc;
    key.alpha = alpha; key.beta = beta; key.has_bias = has_bias != 0;
    key.threads = omp_get_max_threads();
    return key;
}

/// One product of a shape the cache may hold. Under lock.
static int run_one(od_type type, int trans_a, int trans_b, long m, long n, long k, float alpha,
                   const void *a, long lda, const void *b, long ldb, const float *bias, float beta, void *c, long ldc) {
    od_key key = make_key(type, trans_a, trans_b, m, n, k, alpha, lda, ldb, bias != NULL, beta, ldc);
    od_entry *e;
    int s = lookup(&key, &e);
    if (!s) s = dnnl_memory_set_data_handle_v2(e->a, (void *)a, stream);
    if (!s) s = dnnl_memory_set_data_handle_v2(e->b, (void *)b, stream);
    if (!s) s = dnnl_memory_set_data_handle_v2(e->c, c, stream);
    if (!s && bias) s = dnnl_memory_set_data_handle_v2(e->bias, (void *)bias, stream);
    if (!s && e->scratch_bytes > scratch_capacity) {
        free(scratch_buffer);
        scratch_capacity = (e->scratch_bytes + 4095) / 4096 * 4096;
        scratch_buffer = aligned_alloc(4096, scratch_capacity);
        if (!scratch_buffer) { scratch_capacity = 0; s = dnnl_out_of_memory; }
    }
    if (!s && e->scratch) s = dnnl_memory_set_data_handle_v2(e->scratch, scratch_buffer, stream);
    if (!s) {
        dnnl_exec_arg_t args[5] = {{DNNL_ARG_SRC, e->a}, {DNNL_ARG_WEIGHTS, e->b}, {DNNL_ARG_DST, e->c}};
        int count = 3;
        if (bias) args[count++] = (dnnl_exec_arg_t){DNNL_ARG_BIAS, e->bias};
        if (e->scratch) args[count++] = (dnnl_exec_arg_t){DNNL_ARG_SCRATCHPAD, e->scratch};
        s = dnnl_primitive_execute(e->primitive, stream, count, args);
        if (!s) s = dnnl_stream_wait(stream);
    }
    return s;
}

// The token count of a batch is a dimension of most products (m of Y = X·Wᵀ and dX = dY·W, k of
// dW = dYᵀ·X), and packed batches give a new one every time. Every distinct shape costs oneDNN a
// new primitive and, in 2.6, about 6 KB that destroying it does not return, so a server or a
// long encode would grow with the number of distinct batch sizes. The varying dimension is done
// in at most three pieces: a multiple of 256, a multiple of 16 below 256, and fewer than 16, so
// for t tokens at most t/256 + 30 shapes ever exist per layout; the first piece carries nearly
// all the work (splitting into many small pieces measured 1.5–2.5× slower: each piece repacks
// the weights).
static long piece(long left) {
    if (left >= 256) return left / 256 * 256;
    if (left >= 16) return left / 16 * 16;
    return left;
}

static int matmul(od_type type, int trans_a, int trans_b, long m, long n, long k, float alpha,
                  const void *a, long lda, const void *b, long ldb, const float *bias, float beta, void *c, long ldc) {
    const long size = type == OD_BF16 ? 2 : type == OD_S8 ? 1 : 4;
    const char *pa = a, *pb = b;
    char *pc = c;  // fp32 or int32: 4 bytes either way
    int s = dnnl_success;
    pthread_mutex_lock(&lock);
    if (trans_a) {
        // dW-like: k (A's rows, stored (k, m)) is the token count. Pieces accumulate into C: the
        // first applies beta and the bias, the rest add (beta 1, no bias).
        for (long p0 = 0; p0 < k && !s;) {
            long kb = piece(k - p0);
            const char *ap = pa + p0 * lda * size;
            const char *bp = trans_b ? pb + p0 * size : pb + p0 * ldb * size;
            s = run_one(type, trans_a, trans_b, m, n, kb, alpha, ap, lda, bp, ldb, p0 == 0 ? bias : NULL,
                        p0 == 0 ? beta : 1, c, ldc);
            p0 += kb;
        }
    } else {
        // Y-like: m (rows of A and C) is the token count; row pieces are independent.
        for (long i0 = 0; i0 < m && !s;) {
            long mb = piece(m - i0);
            s = run_one(type, trans_a, trans_b, mb, n, k, alpha, pa + i0 * lda * size, lda, pb, ldb, bias, beta,
                        pc + i0 * ldc * 4, ldc);
            i0 += mb;
        }
    }
    pthread_mutex_unlock(&lock);
    return s;
}

int od_matmul(od_type type, int trans_a, int trans_b, long m, long n, long k, float alpha,
              const void *a, long lda, const void *b, long ldb, const float *bias, float beta, float *c, long ldc) {
    if (type == OD_S8) return dnnl_invalid_arguments;  // int32 results: od_matmul_s8
    return matmul(type, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, bias, beta, c, ldc);
}

int od_matmul_s8(long m, long n, long k, const int8_t *a, long lda, const int8_t *b, long ldb, int32_t *c, long ldc) {
    return matmul(OD_S8, 0, 1, m, n, k, 1, a, lda, b, ldb, NULL, 0, c, ldc);
}

const char *od_matmul_implementation(od_type type, int trans_a, int trans_b, long m, long n, long k,
                                     long lda, long ldb, long ldc) {
    od_key key = make_key(type, trans_a, trans_b, m, n, k, 1, lda, ldb, 0, 0, ldc);
    od_entry *e;
    pthread_mutex_lock(&lock);
    int s = lookup(&key, &e);
    const char *impl = s ? NULL : e->implementation;
    pthread_mutex_unlock(&lock);
    return impl;
}

const char *od_status_name(int status) {
    switch (status) {
    case dnnl_success: return "success";
    case dnnl_out_of_memory: return "out of memory";
    case dnnl_invalid_arguments: return "invalid arguments";
    case dnnl_unimplemented: return "unimplemented (no kernel for this shape and data type)";
    case dnnl_iterator_ends: return "iterator ends";
    case dnnl_runtime_error: return "runtime error";
    case dnnl_not_required: return "not required";
    default: return "unknown status";
    }
}

const char *od_version(void) {
    static char text[32];
    const dnnl_version_t *v = dnnl_version();
    if (!text[0]) snprintf(text, sizeof text, "%d.%d.%d", v->major, v->minor, v->patch);
    return text;
}

int od_native_int8(void) {
    dnnl_cpu_isa_t isa = dnnl_get_effective_cpu_isa();
    return (isa & dnnl_cpu_isa_avx512_core_vnni) == dnnl_cpu_isa_avx512_core_vnni
        || (isa & dnnl_cpu_isa_avx2_vnni) == dnnl_cpu_isa_avx2_vnni;
}

int od_native_bf16(void) {
    dnnl_cpu_isa_t isa = dnnl_get_effective_cpu_isa();
    return (isa & dnnl_cpu_isa_avx512_core_bf16) == dnnl_cpu_isa_avx512_core_bf16;
}

const char *od_isa_name(void) {
    switch (dnnl_get_effective_cpu_isa()) {
    case dnnl_cpu_isa_sse41: return "sse41";
    case dnnl_cpu_isa_avx: return "avx";
    case dnnl_cpu_isa_avx2: return "avx2";
    case dnnl_cpu_isa_avx512_mic: return "avx512_mic";
    case dnnl_cpu_isa_avx512_mic_4ops: return "avx512_mic_4ops";
    case dnnl_cpu_isa_avx512_core: return "avx512_core";
    case dnnl_cpu_isa_avx512_core_vnni: return "avx512_core_vnni";
    case dnnl_cpu_isa_avx512_core_bf16: return "avx512_core_bf16";
    case dnnl_cpu_isa_avx512_core_amx: return "avx512_core_amx";
    case dnnl_cpu_isa_avx2_vnni: return "avx2_vnni";
    default: return "other";
    }
}

int od_threads(void) { return omp_get_max_threads(); }
void od_set_threads(int threads) { omp_set_num_threads(threads); }
