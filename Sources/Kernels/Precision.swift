// The precision of the matrix products (every other operation is fp32 always):
//   fp32            inputs and accumulation in fp32 (bit-reproducible run to run)
//   bf16            the inputs of every product — weights and activations, attention included —
//                   rounded to bf16 (round to nearest, ties to even), multiplied exactly and
//                   accumulated and stored in fp32, on the CPU's bf16 dot-product units through
//                   oneDNN. Master weights, gradients, AdamW, LayerNorm, softmax, GELU, pooling and
//                   the loss stay fp32 (stricter than PyTorch's CPU autocast, whose products
//                   output bf16).
//   bf16-reference  the same rounding, then fp32 products: runs on every CPU and equals `bf16` up
//                   to the order of the fp32 sums, so the rules are testable on AVX2-only machines.
//   int8            inference only: the linear layers' products in int8 with int32 accumulation
//                   (weights per output channel, activations per row, symmetric; Int8Products.swift),
//                   on VNNI dot products where the CPU has them; the attention's products and
//                   everything else stay fp32. Runs on every x86-64 CPU oneDNN supports.
// `auto` (the command line's default) is bf16 where the CPU has native bf16 dot products
// (AVX512_BF16 or AMX-BF16, as oneDNN detects them) and they measure at least
// `autoBF16MinimumSpeedup` times fp32's speed here (ProductSpeed.swift), and fp32 elsewhere.

import COneDNN

public enum Precision: String, Sendable, CaseIterable, Codable {
    case fp32
    case bf16
    case bf16Reference = "bf16-reference"
    case int8

    /// True if the products' inputs are rounded to bf16.
    public var roundsToBF16: Bool { self == .bf16 || self == .bf16Reference }

    /// False for int8, which has no backward (training runs in fp32 or a bf16 precision).
    public var trains: Bool { self != .int8 }

    /// Whether oneDNN's ISA here has int8 dot products (AVX512_VNNI or AVX-VNNI).
    public static var hasNativeInt8: Bool { od_native_int8() != 0 }

    /// Whether this CPU computes bf16 products natively (oneDNN's ISA has bf16 dot products).
    public static var hasNativeBF16: Bool { od_native_bf16() != 0 }

    /// bf16 products' speed over fp32's on this CPU, measured once per process (ProductSpeed.swift);
    /// nil without native bf16.
    public static let bf16Speedup: Double? = hasNativeBF16 ? ProductSpeed.measureBF16Speedup() : nil

    /// The speedup over fp32 at which `auto` picks bf16 (measured ratios are far from it: about 1.9
    /// on AMD Zen 4, 0.5 on an Intel Xeon with AVX512_BF16 and no AMX).
    public static let autoBF16MinimumSpeedup = 1.2

    /// Why `bf16` cannot run here, or nil if it can.
    public static var nativeBF16Problem: String? { hasNativeBF16 ? nil : noNativeBF16 }

    static var noNativeBF16: String {
        "this CPU has no native bf16 dot products (AVX512_BF16 or AMX-BF16); oneDNN's ISA here is \(String(cString: od_isa_name()))"
    }
}

/// What the command line asks for: a precision, or `auto`.
public enum PrecisionRequest: String, Sendable, CaseIterable {
    case auto, fp32, bf16
    case bf16Reference = "bf16-reference"
    case int8

    /// The precision to use; `native` says whether the CPU has bf16 dot products, `bf16Speedup`
    /// how much faster they are than fp32's (asked only for `auto` with native bf16).
    public func resolve(native: Bool = Precision.hasNativeBF16,
                        bf16Speedup: () -> Double = { Precision.bf16Speedup ?? 0 }) throws(PrecisionError) -> Precision {
        switch self {
        case .auto: return native && bf16Speedup() >= Precision.autoBF16MinimumSpeedup ? .bf16 : .fp32
        case .fp32: return .fp32
        case .bf16Reference: return .bf16Reference
        case .int8: return .int8
        case .bf16:
            guard native else { throw PrecisionError.bf16Unavailable(Precision.noNativeBF16) }
            return .bf16
        }
    }
}

public enum PrecisionError: Error, Equatable, CustomStringConvertible {
    case bf16Unavailable(String)

    public var description: String {
        switch self {
        case .bf16Unavailable(let why):
            return "--precision bf16: \(why); use --precision fp32 (or auto, which picks fp32 here)"
        }
    }
}
