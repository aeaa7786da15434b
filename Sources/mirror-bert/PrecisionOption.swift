// --precision for every command that runs the encoder (train, encode, eval, compare, index,
// search, serve): fp32 | bf16 | int8 (inference only) | auto (default: bf16 where the CPU has
// native bf16 dot products that measure faster than its fp32 ones, else fp32). See
// Kernels/Precision.swift for what each computes.

import ArgumentParser
import Foundation
import Kernels

extension PrecisionRequest: ExpressibleByArgument {}

struct PrecisionOption: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Matrix products in fp32 | bf16 | int8 | auto.",
        discussion: "bf16 rounds the products' inputs to bf16 and accumulates in fp32 (everything else stays fp32); it needs native bf16 dot products (AVX512_BF16 or AMX-BF16). int8 (not for train) quantizes the linear layers' weights per output channel and their inputs per row, and accumulates in int32 (fastest with AVX512_VNNI or AVX-VNNI). auto: bf16 where the CPU has native bf16 products and they measure at least 1.2× fp32's speed (a check of one thread's CPU time, about 50 ms at start), else fp32."))
    var precision: PrecisionRequest = .auto

    /// The precision to run in; an explicit bf16 on a CPU without native bf16 is an error, and so
    /// is int8 for training.
    func resolve(training: Bool = false) throws -> Precision {
        let p: Precision
        do { p = try precision.resolve() } catch { throw ValidationError(error.description) }
        if training && !p.trains {
            throw ValidationError("--precision \(p.rawValue) is for inference (encode, eval, index, search, serve); train with fp32, bf16 or auto")
        }
        return p
    }

    /// "precision bf16 (auto: …)" for the line a command prints.
    static func describe(_ p: Precision, request: PrecisionRequest) -> String {
        switch request {
        case .auto:
            guard let speedup = Precision.bf16Speedup else { return "precision \(p.rawValue) (auto: no native bf16 on this CPU)" }
            return "precision \(p.rawValue) (auto: native bf16 products measured \(String(format: "%.2f", speedup))× fp32's speed here)"
        case .int8:
            return "precision int8 (flag; \(Precision.hasNativeInt8 ? "VNNI int8 dot products" : "no VNNI on this CPU: slower int8 kernels"))"
        default: return "precision \(p.rawValue) (flag)"
        }
    }
}
