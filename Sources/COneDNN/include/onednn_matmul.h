// Matrix products through oneDNN's matmul primitive (Debian: libdnnl-dev), fp32 and bf16, with
// primitives cached per shape. Only Sources/Kernels/BLAS.swift calls these.
// Row-major throughout: C (m, n) = alpha · op(A) · op(B) + bias + beta · C, op(A) (m, k), op(B) (k, n),
// bias (n) fp32 or NULL (added to every row, in the kernel);
// A is stored (k, m) when trans_a, B (n, k) when trans_b; lda/ldb/ldc are row strides.
// Inputs are both fp32 or both bf16 (uint16_t bit patterns); C is always fp32, so a bf16
// product accumulates and stores in fp32.
#pragma once
#include <stdint.h>

typedef enum { OD_F32 = 0, OD_BF16 = 1, OD_S8 = 2 } od_type;

/// 0 on success, else oneDNN's status code (see od_status_name).
int od_matmul(od_type type, int trans_a, int trans_b, long m, long n, long k, float alpha,
              const void *a, long lda, const void *b, long ldb, const float *bias, float beta, float *c, long ldc);

/// C (m, n) int32 = A (m, k) · B (n, k)ᵀ, A and B int8 (symmetric), exact int32 accumulation (VNNI
/// dot products where the CPU has them). 0 on success, else oneDNN's status code.
int od_matmul_s8(long m, long n, long k, const int8_t *a, long lda, const int8_t *b, long ldb, int32_t *c, long ldc);

/// The implementation oneDNN picks for a shape (e.g. "brg:avx512_core_bf16"), or NULL on error.
/// The string lives as long as the process.
const char *od_matmul_implementation(od_type type, int trans_a, int trans_b, long m, long n, long k,
                                     long lda, long ldb, long ldc);

/// A readable name of a oneDNN status code.
const char *od_status_name(int status);

/// oneDNN's version, e.g. "2.6.3".
const char *od_version(void);

/// 1 if oneDNN's effective ISA on this CPU computes bf16 products natively (avx512_core_bf16 or
/// an AMX level), 0 if it would only emulate them.
int od_native_bf16(void);

/// 1 if oneDNN's effective ISA has int8 dot products (AVX512_VNNI or AVX_VNNI); without them int8
/// products still run, on slower multiply-add sequences.
int od_native_int8(void);

/// oneDNN's effective ISA, e.g. "avx512_core_bf16".
const char *od_isa_name(void);

/// Threads oneDNN's OpenMP runtime uses for calls from this thread.
int od_threads(void);
void od_set_threads(int threads);
