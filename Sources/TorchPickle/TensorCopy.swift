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
