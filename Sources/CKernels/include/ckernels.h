// Small C kernels for the hot element-wise loops (vectorized by the C compiler, with per-function
// target attributes and runtime dispatch). Shapes and math are documented at each declaration.
#pragma once
#include <stddef.h>

/// Returns 1 if the CPU supports AVX2+FMA, 0 otherwise (for reporting).
int ck_has_avx2(void);
