// IEEE binary16 (F16) and bfloat16 (BF16) to binary32, by bit manipulation so it works on every
// platform (Swift's Float16 is missing on macOS x86_64) and matches PyTorch's `.float()` bit for
// bit: every F16/BF16 value is exactly representable in F32; F16 NaNs come out quiet with their
// payload kept (as x86 F16C and torch do), BF16 NaNs keep all their bits (torch shifts them).

/// binary16 bits → binary32 value.
@inline(__always)
func floatFromHalfBits(_ h: UInt16) -> Float {
    let sign = UInt32(h & 0x8000) << 16
    let exponent = UInt32(h >> 10) & 0x1F
    let mantissa = UInt32(h & 0x3FF)
    switch exponent {
    case 0x1F:  // inf (mantissa 0) or NaN (quiet bit forced)
        let quiet: UInt32 = mantissa == 0 ? 0 : 0x0040_0000
        return Float(bitPattern: sign | 0x7F80_0000 | quiet | mantissa << 13)
    case 0:
        // ±0 or subnormal: mantissa × 2^-24, exact in binary32.
        let magnitude = Float(mantissa) * 0x1p-24
        return Float(bitPattern: sign | magnitude.bitPattern)
    default:  // normal: rebias the exponent from 15 to 127
        return Float(bitPattern: sign | (exponent + 112) << 23 | mantissa << 13)
    }
}

/// bfloat16 bits → binary32 value (bfloat16 is the top half of a binary32).
@inline(__always)
func floatFromBFloat16Bits(_ b: UInt16) -> Float {
    Float(bitPattern: UInt32(b) << 16)
}
