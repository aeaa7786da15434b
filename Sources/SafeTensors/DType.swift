// Element types a safetensors header may name, spelled as in the spec (huggingface/safetensors
// `Dtype`, safetensors/src/tensor.rs). The declaration order is the Rust enum's order, which the
// Python package sorts by (descending) when it writes a file; `writeRank` keeps that order.

/// The element type of a tensor in a safetensors file.
public enum DType: String, Sendable, CaseIterable {
    case bool = "BOOL"
    /// MX FP4 (E2M1), two elements per byte.
    case f4 = "F4"
    /// MX FP6 (E2M3), four elements per three bytes.
    case f6e2m3 = "F6_E2M3"
    /// MX FP6 (E3M2), four elements per three bytes.
    case f6e3m2 = "F6_E3M2"
    case u8 = "U8"
    case i8 = "I8"
    case f8e5m2 = "F8_E5M2"
    case f8e4m3 = "F8_E4M3"
    case f8e8m0 = "F8_E8M0"
    case f8e4m3fnuz = "F8_E4M3FNUZ"
    case f8e5m2fnuz = "F8_E5M2FNUZ"
    case i16 = "I16"
    case u16 = "U16"
    case f16 = "F16"
    case bf16 = "BF16"
    case i32 = "I32"
    case u32 = "U32"
    case f32 = "F32"
    /// Complex with two F32 parts.
    case c64 = "C64"
    case f64 = "F64"
    case i64 = "I64"
    case u64 = "U64"

    /// Bits per element (4 and 6 for the packed MX types).
    public var bitSize: Int {
        switch self {
        case .f4: return 4
        case .f6e2m3, .f6e3m2: return 6
        case .bool, .u8, .i8, .f8e5m2, .f8e4m3, .f8e8m0, .f8e4m3fnuz, .f8e5m2fnuz: return 8
        case .i16, .u16, .f16, .bf16: return 16
        case .i32, .u32, .f32: return 32
        case .c64, .f64, .i64, .u64: return 64
        }
    }

    /// Bytes per element, rounded up for the packed sub-byte types F4 and F6_* (compute their
    /// lengths from `bitSize`).
    public var byteSize: Int { (bitSize + 7) / 8 }

    /// Position in the spec's list; the Python writer orders tensors by descending rank, then name.
    var writeRank: Int { DType.allCases.firstIndex(of: self)! }
}
