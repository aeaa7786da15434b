// pytorch_model.bin → model.safetensors: every tensor under its own name, in C order; F16 and
// BF16 widened to F32 (exactly), F32 and every other dtype (I64 position_ids, …) copied unchanged.
// Tensors that share a storage (tied weights) are written once per name, as separate copies.

import Foundation
import SafeTensors

/// What a conversion wrote.
public struct SafeTensorsConversion: Sendable, Equatable {
    /// Tensors written.
    public let tensorCount: Int
    /// F16/BF16 tensors widened to F32.
    public let widenedCount: Int
    /// Tensor count per dtype in the output.
    public let dtypeCounts: [DType: Int]
    /// Bytes of tensor data written (header excluded).
    public let dataBytes: Int
}

extension TorchCheckpoint {
    /// Writes every tensor to a safetensors file at `url` atomically (see the file comment).
    @discardableResult
    public func writeSafeTensors(to url: URL, metadata: [String: String] = ["format": "pt"]) throws -> SafeTensorsConversion {
        var owned: [UnsafeMutableRawBufferPointer] = []
        defer { for b in owned { b.deallocate() } }
        var raw: [SafeTensorsWriter.RawTensor] = []
        var widened = 0
        var counts: [DType: Int] = [:]
        var total = 0
        for t in tensors {
            let dtype: DType = (t.dtype == .f16 || t.dtype == .bf16) ? .f32 : t.dtype
            let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: t.elementCount * dtype.byteSize, alignment: 16)
            owned.append(bytes)
            if dtype != t.dtype {
                try readFloats(t.name, into: bytes.bindMemory(to: Float.self))
                if 1.littleEndian != 1 {  // safetensors data is little-endian
                    let words = bytes.bindMemory(to: UInt32.self)
                    for i in words.indices { words[i] = words[i].littleEndian }
                }
                widened += 1
            } else {
                try withContiguousBytes(t.name) { bytes.copyMemory(from: $0) }
            }
            raw.append(SafeTensorsWriter.RawTensor(name: t.name, dtype: dtype, shape: t.shape, bytes: UnsafeRawBufferPointer(bytes)))
            counts[dtype, default: 0] += 1
            total += bytes.count
        }
        try SafeTensorsWriter.write(raw: raw, metadata: metadata, to: url)
        return SafeTensorsConversion(tensorCount: raw.count, widenedCount: widened, dtypeCounts: counts, dataBytes: total)
    }
}
