// Reading safetensors files (https://github.com/huggingface/safetensors, format as of 0.8.0).
//
// Layout:
//   bytes [0, 8)        N, the header length: u64, little-endian.
//   bytes [8, 8+N)      the header: N bytes of UTF-8 JSON, one object:
//                         { "__metadata__": { "<key>": "<string>", … },          (optional)
//                           "<tensor name>": { "dtype": "F32",
//                                              "shape": [d0, d1, …],
//                                              "data_offsets": [begin, end] }, … }
//                       The writer pads it with trailing spaces so 8+N is a multiple of 8.
//   bytes [8+N, EOF)    the data buffer: each tensor's elements, C order, little-endian.
//
// Rules this reader enforces (each violation is its own `SafeTensorsError`):
//   - the file holds at least 8 bytes; N ≤ 100 MB (the reference limit) and 8+N ≤ file size;
//   - the header is UTF-8 and exactly one JSON object (JSON whitespace around tokens is allowed);
//   - "__metadata__" appears at most once and maps strings to strings (null means none);
//   - every other key is a tensor name, appearing once, mapped to an object with exactly the
//     fields dtype (a name from `DType`), shape (non-negative integers; [] is a scalar with one
//     element; 0 dimensions are allowed) and data_offsets (two non-negative integers);
//   - product(shape) × dtype bits neither overflows nor (for F4/F6) ends inside a byte, and
//     data_offsets are [begin, end) relative to the data buffer with end − begin equal to it;
//   - sorted by offset, the tensors tile the data buffer exactly: the first begins at 0, each next
//     one where the previous ended (no gap, no overlap), and the last ends at the end of the file.
// Deliberately stricter than the Python package, which also reads: a tensor name repeated with
// identical entries (it keeps the last), unknown fields in a tensor entry (it ignores them).

import FileIO
import Foundation

/// One tensor's entry in the header.
public struct TensorInfo: Sendable, Equatable {
    public let name: String
    public let dtype: DType
    public let shape: [Int]
    /// Byte range relative to the start of the data buffer.
    public let byteRange: Range<Int>

    /// The number of elements, product(shape) (1 for a scalar).
    public var elementCount: Int { shape.reduce(1, *) }
}

/// A validated safetensors file held in memory (memory-mapped when opened from a URL).
public final class SafeTensorsFile: @unchecked Sendable {
    /// Names the file in errors ("<memory>" by default for in-memory data).
    public let path: String
    /// The "__metadata__" map (empty when absent).
    public let metadata: [String: String]
    /// Every tensor, in data-offset order.
    public let tensors: [TensorInfo]
    /// Where the data buffer starts in the file: 8 + header length.
    public let dataOffset: Int

    private let storage: Data
    private let index: [String: Int]

    /// Maps the file at `url` and validates its header and layout fully.
    /// Throws `FileIOError` if it cannot be opened, `SafeTensorsError` if it is malformed.
    public convenience init(url: URL) throws {
        try self.init(data: try TextLines.readFile(url), path: url.path)
    }

    /// Validates `data` as a whole safetensors file; `path` only names it in errors.
    public init(data: Data, path: String = "<memory>") throws {
        self.path = path
        storage = data  // withUnsafeBytes views a slice from its first byte, so no rebasing copy
        let header = try storage.withUnsafeBytes { try Header.parse(file: $0, path: path) }
        metadata = header.metadata
        tensors = header.tensors
        dataOffset = header.dataOffset
        var index: [String: Int] = [:]
        for (i, t) in tensors.enumerated() { index[t.name] = i }
        self.index = index
    }

    /// The entry for `name`, or nil.
    public func info(_ name: String) -> TensorInfo? { index[name].map { tensors[$0] } }

    /// Calls `body` with the tensor's raw little-endian bytes (valid only inside `body`).
    public func withRawBytes<R>(_ name: String, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        let t = try lookup(name)
        return try storage.withUnsafeBytes { file in
            try body(UnsafeRawBufferPointer(rebasing: file[(dataOffset + t.byteRange.lowerBound)..<(dataOffset + t.byteRange.upperBound)]))
        }
    }

    /// Calls `body` with the whole data buffer (tensor byte ranges are relative to its start).
    public func withDataBuffer<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try storage.withUnsafeBytes { file in try body(UnsafeRawBufferPointer(rebasing: file[dataOffset...])) }
    }

    // MARK: - Floating-point values

    /// Converts an F32, F16 or BF16 tensor to Float into `dst`, whose count must equal the
    /// element count. No other copies are made.
    public func readFloats(_ name: String, into dst: UnsafeMutableBufferPointer<Float>) throws {
        let t = try lookup(name)
        guard t.dtype == .f32 || t.dtype == .f16 || t.dtype == .bf16 else {
            throw SafeTensorsError.unsupportedConversion(path: path, tensor: name, dtype: t.dtype, to: "Float")
        }
        let n = t.elementCount
        guard dst.count == n else {
            throw SafeTensorsError.destinationSizeMismatch(path: path, tensor: name, expected: n, actual: dst.count)
        }
        guard n > 0 else { return }
        try withRawBytes(name) { src in widenToFloat(src, dtype: t.dtype, into: dst) }
    }

    /// The tensor's values as Float (F32, F16 or BF16 tensors).
    public func floats(_ name: String) throws -> [Float] {
        let n = try lookup(name).elementCount
        return try [Float](unsafeUninitializedCapacity: n) { buffer, initialized in
            try readFloats(name, into: buffer)
            initialized = n
        }
    }

    // MARK: - Integer values

    /// The tensor's values as Int64: I64, or a narrower integer type that widens exactly
    /// (I32, I16, I8, U32, U16, U8).
    public func int64s(_ name: String) throws -> [Int64] {
        let t = try lookup(name)
        let n = t.elementCount
        let load: (UnsafeRawBufferPointer, Int) -> Int64
        switch t.dtype {
        case .i64: load = { Int64(littleEndian: $0.loadUnaligned(fromByteOffset: 8 * $1, as: Int64.self)) }
        case .i32: load = { Int64(Int32(littleEndian: $0.loadUnaligned(fromByteOffset: 4 * $1, as: Int32.self))) }
        case .i16: load = { Int64(Int16(littleEndian: $0.loadUnaligned(fromByteOffset: 2 * $1, as: Int16.self))) }
        case .i8: load = { Int64($0.load(fromByteOffset: $1, as: Int8.self)) }
        case .u32: load = { Int64(UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: 4 * $1, as: UInt32.self))) }
        case .u16: load = { Int64(UInt16(littleEndian: $0.loadUnaligned(fromByteOffset: 2 * $1, as: UInt16.self))) }
        case .u8: load = { Int64($0[$1]) }
        default:
            throw SafeTensorsError.unsupportedConversion(path: path, tensor: name, dtype: t.dtype, to: "Int64")
        }
        return try withRawBytes(name) { src in (0..<n).map { load(src, $0) } }
    }

    private func lookup(_ name: String) throws -> TensorInfo {
        guard let t = info(name) else { throw SafeTensorsError.tensorNotFound(path: path, tensor: name) }
        return t
    }
}

