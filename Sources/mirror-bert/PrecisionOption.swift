// --precision for every command that runs the encoder (train, encode, eval, compare, index,
// search, serve): fp32 | bf16 | auto (default: bf16 where the CPU has native bf16 dot products,
// else fp32). See Kernels/Precision.swift for what bf16 rounds.

import ArgumentParser
import Kernels

extension PrecisionRequest: ExpressibleByArgument {}

struct PrecisionOption: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Matrix products in fp32 | bf16 | auto.",
        discussion: "bf16 rounds the products' inputs to bf16 and accumulates in fp32 (everything else stays fp32); it needs native bf16 dot products (AVX512_BF16 or AMX-BF16). auto: bf16 where the CPU has them, else fp32."))
    var precision: PrecisionRequest = .auto

    /// The precision to run in; an explicit bf16 on a CPU without native bf16 is an error.
    func resolve() throws -> Precision {
        do { return try precision.resolve() } catch { throw ValidationError(error.description) }
    }

    /// "precision bf16 (auto: …)" for the line a command prints.
    static func describe(_ p: Precision, request: PrecisionRequest) -> String {
        switch request {
        case .auto: return "precision \(p.rawValue) (auto: \(Precision.hasNativeBF16 ? "native bf16 dot products" : "no native bf16 on this CPU"))"
        default: return "precision \(p.rawValue) (flag)"
        }
    }
}
