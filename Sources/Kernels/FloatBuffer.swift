// A 64-byte-aligned, zero-initialized Float array with a stable address, for parameters,
// gradients and activations. Reference semantics: kernels write through `pointer`.

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

public final class FloatBuffer: @unchecked Sendable {
    public let count: Int
    public let pointer: UnsafeMutablePointer<Float>

    /// Bytes mapped directly from the kernel (large buffers), or 0 for the allocator's.
    private let mappedBytes: Int

    /// Buffers from this size up are mapped from the kernel: its pages arrive zeroed and are
    /// touched only when first written, so a multi-gigabyte training workspace costs no
    /// zero-filling pass (which took seconds) and no memory it never uses.
    static let mappingThreshold = 1 << 20

    public init(count: Int) {
        precondition(count >= 0, "FloatBuffer count must be non-negative")
        self.count = count
        let bytes = max(1, count) * 4
        if bytes >= Self.mappingThreshold,
           let mapped = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
           mapped != MAP_FAILED {
            _ = madvise(mapped, bytes, MADV_HUGEPAGE)  // fewer page faults where the kernel allows it
            mappedBytes = bytes
            pointer = mapped.bindMemory(to: Float.self, capacity: max(1, count))
        } else {
            mappedBytes = 0
            let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
            pointer = raw.bindMemory(to: Float.self, capacity: max(1, count))
            pointer.initialize(repeating: 0, count: max(1, count))
        }
    }

    public convenience init(_ values: [Float]) {
        self.init(count: values.count)
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: values.count) }
    }

    deinit {
        if mappedBytes > 0 { munmap(pointer, mappedBytes) } else { UnsafeMutableRawPointer(pointer).deallocate() }
    }

    public var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: pointer, count: count) }
    public var array: [Float] { Array(buffer) }

    public func zero() { pointer.update(repeating: 0, count: count) }

    public subscript(i: Int) -> Float {
        get { pointer[i] }
        set { pointer[i] = newValue }
    }
}
