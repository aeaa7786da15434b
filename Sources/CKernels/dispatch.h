// Compile a function for AVX-512, AVX2+FMA and the x86-64 baseline; the loader picks one.
#pragma once
#if defined(__x86_64__) && defined(__clang__) && defined(__linux__)
#define CK_MULTIVERSION __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define CK_MULTIVERSION
#endif
