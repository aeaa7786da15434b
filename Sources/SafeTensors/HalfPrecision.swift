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

/// Widens `dst.count` little-endian F32, F16 or BF16 elements of `src` to Float (exactly, as
/// PyTorch's `.float()`); shared by the safetensors and pytorch_model.bin readers.
public func widenToFloat(_ src: UnsafeRawBufferPointer, dtype: DType, into dst: UnsafeMutableBufferPointer<Float>) {
    let n = dst.count
    switch dtype {
    case .f32:
        if 1.littleEndian == 1 {
            UnsafeMutableRawBufferPointer(dst).copyMemory(from: UnsafeRawBufferPointer(rebasing: src[0..<(4 * n)]))
        } else {
            for i in 0..<n { dst[i] = Float(bitPattern: UInt32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
        }
    case .f16:
        for i in 0..<n { dst[i] = floatFromHalfBits(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
    case .bf16:
        for i in 0..<n { dst[i] = floatFromBFloat16Bits(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
    default:
        preconditionFailure("widenToFloat: \(dtype) is not a 16/32-bit float type")
    }
}
