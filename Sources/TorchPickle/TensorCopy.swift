// Copying a strided view out of its storage in C order, and widening F16/BF16 to F32.

import SafeTensors

/// Copies tensor `t` from `storage` (its whole storage's bytes) into `out` (elementCount × size
/// bytes) in C order, swapping each element's bytes when the file is big-endian.
/// The layout was validated when the checkpoint was opened (every index lies inside `storage`).
func gather(_ t: TorchTensorInfo, from storage: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer,
            swapBytes: Bool) {
    let size = t.dtype.byteSize
    let count = t.elementCount
    guard count > 0 else { return }
    let rank = t.shape.count
    // Rows: the innermost dimension, copied as one block when it is contiguous.
    let rowLength = rank == 0 ? 1 : t.shape[rank - 1]
    let rowStride = rank == 0 ? 1 : t.strides[rank - 1]
    let rows = count / rowLength
    var index = [Int](repeating: 0, count: max(rank - 1, 0))
    var rowStart = t.storageOffset  // element index in the storage
    var dst = 0
    for _ in 0..<rows {
        if (rowStride == 1 || rowLength == 1) && !swapBytes {
            (out.baseAddress! + dst).copyMemory(from: storage.baseAddress! + rowStart * size, byteCount: rowLength * size)
            dst += rowLength * size
        } else {
            var src = rowStart * size
            for _ in 0..<rowLength {
                for b in 0..<size { out[dst + b] = storage[src + (swapBytes ? size - 1 - b : b)] }
                dst += size
                src += rowStride * size
            }
        }
        // Advance the outer index (odometer over dimensions 0..<rank-1).
        var d = rank - 2
        while d >= 0 {
            index[d] += 1
            rowStart += t.strides[d]
            if index[d] < t.shape[d] { break }
            rowStart -= t.strides[d] * t.shape[d]
            index[d] = 0
            d -= 1
        }
    }
}

/// Widens little-endian F32/F16/BF16 elements to Float; `dst.count` elements.
func convertToFloat(_ src: UnsafeRawBufferPointer, dtype: DType, into dst: UnsafeMutableBufferPointer<Float>) {
    let n = dst.count
    switch dtype {
    case .f32:
        if 1.littleEndian == 1 {
            UnsafeMutableRawBufferPointer(dst).copyMemory(from: UnsafeRawBufferPointer(rebasing: src[0..<(4 * n)]))
        } else {
            for i in 0..<n { dst[i] = Float(bitPattern: UInt32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
        }
    case .f16:
        for i in 0..<n { dst[i] = floatFromHalf(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
    case .bf16:
        for i in 0..<n {
            dst[i] = Float(bitPattern: UInt32(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) << 16)
        }
    default:
        preconditionFailure("convertToFloat: \(dtype) is not a 16/32-bit float type")
    }
}

/// IEEE binary16 bits → Float, exactly (as torch's `.float()`): subnormals scaled, inf kept,
/// NaN quieted with its payload kept.
@inline(__always)
func floatFromHalf(_ h: UInt16) -> Float {
    let sign = UInt32(h & 0x8000) << 16
    let exponent = UInt32(h >> 10) & 0x1F
    let mantissa = UInt32(h & 0x3FF)
    if exponent == 0x1F { return Float(bitPattern: sign | 0x7F80_0000 | (mantissa == 0 ? 0 : 0x0040_0000) | mantissa << 13) }
    if exponent == 0 { return Float(bitPattern: sign | (Float(mantissa) * 0x1p-24).bitPattern) }
    return Float(bitPattern: sign | (exponent + 112) << 23 | mantissa << 13)
}
