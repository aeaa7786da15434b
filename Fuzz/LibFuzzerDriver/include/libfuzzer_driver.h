// libFuzzer's driver as a function (compiler-rt's FuzzerInterface.h, LLVM 12 and later): parses
// libFuzzer's flags from argv and fuzzes `callback` until a crash or the budget ends. Swift cannot
// use libFuzzer's own `main`: SwiftPM links an executable's `main` to the module's @main entry,
// so mirror-bert-fuzz's @main calls this instead (Fuzz/LibFuzzer/LibFuzzerEntry.swift). Defined
// only when linking with -sanitize=fuzzer; an ordinary build never references it.
#pragma once
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
