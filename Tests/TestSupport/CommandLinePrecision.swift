// The precision the command line's default (`--precision auto`) picks on this machine, for tests
// that compare a command's output with the library's: bf16 where the CPU has native bf16 dot
// products, fp32 elsewhere.

import Kernels

public let commandLinePrecision: Precision = Precision.hasNativeBF16 ? .bf16 : .fp32
