// Product inputs in a precision: `ProductInputs` turns fp32 activations into what the products of
// its precision read (bf16 bits for oneDNN, or fp32 values rounded to bf16 for the reference
// path), into scratch it owns; `RoundedWeights` is the bf16 copy of a set of weight matrices,
// refreshed once per optimizer step (not per product). Rounding is ck_bf16_* (bf16.c). Under int8
// the same scratch holds the quantized operands (Int8Products.swift).

import CKernels

/// Scratch for rounding activations before products; one per workspace (not shared by threads).
public final class ProductInputs {
    public let precision: Precision
    /// Rounded weight copies the products look up by the fp32 weight's address.
    public var weights: RoundedWeights?
    /// int8 weight copies (per output channel), for the int8 precision.
    public var quantized: QuantizedWeights?
    /// Grown with headroom as larger batches come; FloatBuffer maps large ones from the kernel, so
    /// a long run of growing batches does not fragment the heap.
    private var slots = (0..<5).map { _ in FloatBuffer(count: 0) }

    public init(precision: Precision, weights: RoundedWeights? = nil, quantized: QuantizedWeights? = nil) {
        precondition(weights == nil || weights!.precision == precision, "weight copy of another precision")
        precondition(quantized == nil || precision == .int8, "int8 weights for another precision")
        self.precision = precision
        self.weights = weights
        self.quantized = quantized
    }

    /// Scratch slot `i` (0…4) with room for `bytes`, 64-byte aligned; valid until the next call for that slot.
    func scratch(_ i: Int, bytes: Int) -> UnsafeMutableRawPointer { slot(i, bytes: max(1, bytes)) }

    private func slot(_ i: Int, bytes: Int) -> UnsafeMutableRawPointer {
        let floats = (bytes + 3) / 4
        if slots[i].count < floats { slots[i] = FloatBuffer(count: floats + floats / 4) }
        return UnsafeMutableRawPointer(slots[i].pointer)
    }

    /// x (rows, cols) with row stride ld as an input of this precision's products, and the row
    /// stride of what is returned. `slot` (0…2) picks the scratch, so up to three operands of one
    /// call are alive at once. fp32 returns x itself.
    public func operand(_ x: UnsafePointer<Float>, rows: Int, cols: Int, ld: Int, slot s: Int) -> (MatrixData, Int) {
        switch precision {
        case .fp32, .int8:  // int8 quantizes inside its products (int8Linear); its other products are fp32
            return (.fp32(x), ld)
        case .bf16:
            let out = slot(s, bytes: max(1, rows * cols) * 2).bindMemory(to: UInt16.self, capacity: rows * cols)
            Parallel.chunks(rows, minPerChunk: 16) { _, r in
                ck_bf16_from_f32(out + r.lowerBound * cols, x + r.lowerBound * ld, r.count, cols, ld)
            }
            return (.bf16(out), cols)
        case .bf16Reference:
            let out = slot(s, bytes: max(1, rows * cols) * 4).bindMemory(to: Float.self, capacity: rows * cols)
            Parallel.chunks(rows, minPerChunk: 16) { _, r in
                ck_bf16_round(out + r.lowerBound * cols, x + r.lowerBound * ld, r.count, cols, ld, cols)
            }
            return (.fp32(out), cols)
        }
    }

    /// A weight (rows, cols), dense: its rounded copy if `weights` has one, else rounded into `slot`.
    public func weight(_ w: UnsafePointer<Float>, rows: Int, cols: Int, slot s: Int) -> MatrixData {
        if let copy = weights?.matrix(w) { return copy }
        return operand(w, rows: rows, cols: cols, ld: cols, slot: s).0
    }

    /// Rounds x (count) to bf16 values in place when this precision rounds (for tensors whose only
    /// readers are products, e.g. the attention's Q/K/V).
    public func roundInPlace(_ x: UnsafeMutablePointer<Float>, count: Int) {
        guard precision.roundsToBF16 else { return }
        Parallel.chunks(count, minPerChunk: 1 << 14) { _, r in
            ck_bf16_round(x + r.lowerBound, x + r.lowerBound, 1, r.count, r.count, r.count)
        }
    }
}

/// The bf16 copy of some weight matrices of a parameter block, looked up by the fp32 address.
public final class RoundedWeights: @unchecked Sendable {
    public let precision: Precision
    private let sources: [(pointer: UnsafePointer<Float>, count: Int, offset: Int)]
    private let index: [UnsafePointer<Float>: Int]
    private let storage: UnsafeMutableRawPointer
    private let elementBytes: Int

    /// A copy of the matrices at `base + range` for each range (not yet filled: call `refresh`).
    public init(precision: Precision, base: UnsafePointer<Float>, ranges: [Range<Int>]) {
        precondition(precision.roundsToBF16, "an fp32 run keeps no weight copy")
        self.precision = precision
        elementBytes = precision == .bf16 ? 2 : 4
        var sources: [(UnsafePointer<Float>, Int, Int)] = [], index: [UnsafePointer<Float>: Int] = [:], total = 0
        for r in ranges {
            index[base + r.lowerBound] = sources.count
            sources.append((base + r.lowerBound, r.count, total))
            total += r.count
        }
        self.sources = sources
        self.index = index
        storage = UnsafeMutableRawPointer.allocate(byteCount: max(1, total) * elementBytes, alignment: 64)
    }

    deinit { storage.deallocate() }

    /// Re-rounds every matrix from its fp32 master (after the weights changed).
    public func refresh() {
        for s in sources {
            Parallel.chunks(s.count, minPerChunk: 1 << 14) { _, r in
                if precision == .bf16 {
                    let out = (storage + (s.offset + r.lowerBound) * 2).assumingMemoryBound(to: UInt16.self)
                    ck_bf16_from_f32(out, s.pointer + r.lowerBound, 1, r.count, r.count)
                } else {
                    let out = (storage + (s.offset + r.lowerBound) * 4).assumingMemoryBound(to: Float.self)
                    ck_bf16_round(out, s.pointer + r.lowerBound, 1, r.count, r.count, r.count)
                }
            }
        }
    }

    /// The rounded copy of the matrix whose fp32 master starts at `w`, or nil.
    public func matrix(_ w: UnsafePointer<Float>) -> MatrixData? {
        guard let i = index[w] else { return nil }
        let p = storage + sources[i].offset * elementBytes
        return precision == .bf16 ? .bf16(p.assumingMemoryBound(to: UInt16.self)) : .fp32(p.assumingMemoryBound(to: Float.self))
    }
}
