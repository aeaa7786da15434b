// The precision the command line's default (`--precision auto`) picks on this machine, for tests
// that compare a command's output with the library's: bf16 where the CPU has native bf16 dot
// products that measure faster than fp32's, fp32 elsewhere (Precision.swift).

import Kernels

public let commandLinePrecision: Precision = (try? PrecisionRequest.auto.resolve()) ?? .fp32
