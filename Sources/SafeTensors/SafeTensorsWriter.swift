// Writing safetensors files byte-identical to the Python package's `save_file` (0.8.0):
//   - tensors sorted by dtype, highest rank in the spec's list first (F64/I64 before F32 before
//     F16…), then by name in UTF-8 byte order; offsets assigned in that order with no padding;
//   - the header is serde_json's compact form: {"__metadata__":{…},"name":{"dtype":"F32",
//     "shape":[2,3],"data_offsets":[0,24]},…} — "__metadata__" first and only if non-empty, then
//     the tensors in data order; strings escape \" \\ \b \f \n \r \t, other controls as \u00xx,
//     everything else (DEL, non-ASCII) raw;
//   - the header is padded with spaces so the data starts at a multiple of 8.
// Python writes metadata keys in Rust HashMap order, which changes from run to run; this writer
// sorts them by UTF-8 bytes, so files with one metadata key (or none) match byte for byte and
// files with several match up to the order of the metadata entries.

import FileIO
import Foundation
import JSON

public enum SafeTensorsWriter {
    /// An F32 tensor to write: its data holds product(shape) floats in C order.
    public typealias FloatTensor = (name: String, shape: [Int], data: UnsafeBufferPointer<Float>)

    /// A tensor of any dtype given as its little-endian bytes (for copying tensors through unchanged).
    public struct RawTensor {
        public let name: String
        public let dtype: DType
        public let shape: [Int]
        public let bytes: UnsafeRawBufferPointer
        public init(name: String, dtype: DType, shape: [Int], bytes: UnsafeRawBufferPointer) {
            self.name = name; self.dtype = dtype; self.shape = shape; self.bytes = bytes
        }
    }

    // MARK: - F32

    /// Writes F32 tensors (sorted by name as Python does) and `metadata` (under "__metadata__",
    /// omitted when empty) to `url` atomically, streaming each tensor's data from its buffer.
    public static func write(_ tensors: [FloatTensor], metadata: [String: String], to url: URL) throws {
        let plan = try Plan(floats: tensors, metadata: metadata, path: url.path)
        try AtomicFile.write(to: url) { fd, path in
            try plan.header.withUnsafeBytes { try AtomicFile.writeAll(fd: fd, $0, path: path) }
            for i in plan.order { try AtomicFile.writeAllLittleEndian(fd: fd, tensors[i].data, path: path) }
        }
    }

    /// The bytes `write` would put in the file.
    public static func encode(_ tensors: [FloatTensor], metadata: [String: String]) throws -> Data {
        let plan = try Plan(floats: tensors, metadata: metadata, path: "<memory>")
        var out = Data(plan.header)
        out.reserveCapacity(plan.header.count + plan.dataLength)
        for i in plan.order {
            AtomicFile.withLittleEndianBytes(tensors[i].data) { out.append(contentsOf: $0) }
        }
        return out
    }

    // MARK: - Any dtype

    /// Writes tensors of any dtype, sorted by dtype then name as Python does, atomically.
    public static func write(raw tensors: [RawTensor], metadata: [String: String], to url: URL) throws {
        let plan = try Plan(raw: tensors, metadata: metadata, path: url.path)
        try AtomicFile.write(to: url) { fd, path in
            try plan.header.withUnsafeBytes { try AtomicFile.writeAll(fd: fd, $0, path: path) }
            for i in plan.order { try AtomicFile.writeAll(fd: fd, tensors[i].bytes, path: path) }
        }
    }

    /// The bytes `write(raw:metadata:to:)` would put in the file.
    public static func encode(raw tensors: [RawTensor], metadata: [String: String]) throws -> Data {
        let plan = try Plan(raw: tensors, metadata: metadata, path: "<memory>")
        var out = Data(plan.header)
        out.reserveCapacity(plan.header.count + plan.dataLength)
        for i in plan.order { out.append(contentsOf: tensors[i].bytes) }
        return out
    }
}

// MARK: - Header

/// The header bytes (length prefix included) and the order in which to write the tensors' data.
private struct Plan {
    var header: [UInt8]
    var order: [Int]
    var dataLength: Int

    init(floats: [SafeTensorsWriter.FloatTensor], metadata: [String: String], path: String) throws {
        let entries = try floats.map { t -> (String, DType, [Int], Int) in
            guard let n = checkedElementCount(t.shape), n == t.data.count else {
                throw SafeTensorsError.writeShapeMismatch(path: path, tensor: t.name, shape: t.shape, count: t.data.count)
            }
            return (t.name, .f32, t.shape, 4 * n)
        }
        try self.init(entries: entries, metadata: metadata, path: path)
    }

    init(raw: [SafeTensorsWriter.RawTensor], metadata: [String: String], path: String) throws {
        let entries = try raw.map { t -> (String, DType, [Int], Int) in
            guard let n = checkedElementCount(t.shape) else {
                throw SafeTensorsError.writeShapeMismatch(
                    path: path, tensor: t.name, shape: t.shape, count: t.bytes.count * 8 / t.dtype.bitSize)
            }
            let (bits, overflow) = n.multipliedReportingOverflow(by: t.dtype.bitSize)
            guard !overflow, bits % 8 == 0, bits / 8 == t.bytes.count else {
                throw SafeTensorsError.writeByteCountMismatch(
                    path: path, tensor: t.name, expected: overflow ? Int.max : (bits + 7) / 8, actual: t.bytes.count)
            }
            return (t.name, t.dtype, t.shape, t.bytes.count)
        }
        try self.init(entries: entries, metadata: metadata, path: path)
    }

    /// entries: (name, dtype, shape, byte length), in the caller's order.
    private init(entries: [(String, DType, [Int], Int)], metadata: [String: String], path: String) throws {
        var names = Set<String>()
        for (name, _, _, _) in entries {
            guard name != "__metadata__" else { throw SafeTensorsError.writeReservedName(path: path) }
            guard names.insert(name).inserted else { throw SafeTensorsError.writeDuplicateName(path: path, tensor: name) }
        }
        order = entries.indices.sorted { a, b in
            let (ra, rb) = (entries[a].1.writeRank, entries[b].1.writeRank)
            if ra != rb { return ra > rb }
            return entries[a].0.utf8.lexicographicallyPrecedes(entries[b].0.utf8)
        }

        // The raw strings bound the header from below: refuse an oversized one before building it.
        let lowerBound = entries.reduce(0) { $0 + $1.0.utf8.count } + metadata.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count }
        guard lowerBound <= maxHeaderLength else {
            throw SafeTensorsError.writeHeaderTooLarge(path: path, length: lowerBound)
        }

        var w = JSONWriter(capacity: lowerBound + 96 * entries.count + 64)
        w.raw("{")
        if !metadata.isEmpty {
            w.key("__metadata__")
            w.raw("{")
            let keys = metadata.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for (i, k) in keys.enumerated() {
                if i > 0 { w.raw(",") }
                w.key(k)
                w.string(metadata[k] ?? "")
            }
            w.raw("}")
            if !entries.isEmpty { w.raw(",") }
        }
        var offset = 0
        for (i, e) in order.enumerated() {
            let (name, dtype, shape, length) = entries[e]
            if i > 0 { w.raw(",") }
            w.key(name)
            w.raw("{\"dtype\":\"\(dtype.rawValue)\",\"shape\":[")
            w.raw(shape.map(String.init).joined(separator: ","))
            w.raw("],\"data_offsets\":[\(offset),\(offset + length)]}")
            offset += length
        }
        w.raw("}")
        var json = w.bytes
        while json.count % 8 != 0 { json.append(UInt8(ascii: " ")) }
        guard json.count <= maxHeaderLength else {
            throw SafeTensorsError.writeHeaderTooLarge(path: path, length: json.count)
        }

        header = withUnsafeBytes(of: UInt64(json.count).littleEndian) { Array($0) } + json
        dataLength = offset
    }
}

/// product(shape), or nil if a dimension is negative or the product overflows.
private func checkedElementCount(_ shape: [Int]) -> Int? {
    var n = 1
    for d in shape {
        guard d >= 0 else { return nil }
        let (p, overflow) = n.multipliedReportingOverflow(by: d)
        if overflow { return nil }
        n = p
    }
    return n
}
