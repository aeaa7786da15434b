// Compile a function for AVX-512, AVX2+FMA and the x86-64 baseline; the loader picks one.
// Not under ThreadSanitizer (Scripts/tsan.sh): the loader runs target_clones' resolver before the
// TSan runtime is set up, and clang before 22 instruments the resolver, so the process crashes at
// load (llvm/llvm-project#163369); TSan runs use the baseline code.
#pragma once
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define CK_UNDER_TSAN 1
#endif
#endif
#if defined(__x86_64__) && defined(__clang__) && defined(__linux__) && !defined(CK_UNDER_TSAN)
#define CK_MULTIVERSION __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define CK_MULTIVERSION
#endif
