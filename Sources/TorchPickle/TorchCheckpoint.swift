// Reading PyTorch checkpoints (pytorch_model.bin) written by torch.save (format of torch ≥ 1.6,
// torch/serialization.py `_save`) without executing anything.
//
// Layout: a ZIP archive (ZipArchive.swift) whose entries sit in one top-level folder <a>:
//   <a>/data.pkl        the pickled object: for a checkpoint, a dict or OrderedDict name → tensor.
//                       Each tensor is torch._utils._rebuild_tensor_v2(storage, storage_offset,
//                       size, stride, requires_grad, backward_hooks[, metadata]), or that wrapped in
//                       torch._utils._rebuild_parameter(tensor, requires_grad, hooks) for an
//                       nn.Parameter; storages are persistent ids
//                       ('storage', torch.<Type>Storage, key, location, numel).
//   <a>/data/<key>      a storage's raw bytes: numel elements of the storage type, no header.
//   <a>/byteorder       "little" or "big" (absent in old files: little).
//   <a>/version, <a>/.format_version, <a>/.storage_alignment, <a>/.data/serialization_id
//                       (not needed to read tensors).
// torch.save(model.state_dict()) pickles an OrderedDict whose `_metadata` attribute is set by a
// BUILD; transformers 4.x save_pretrained(safe_serialization=False) pickled a plain dict. Tied
// weights are two names whose tensors share one storage key.
//
// Rules this reader enforces (each violation is its own `TorchPickleError`):
//   - the restricted unpickler's (Unpickler.swift): whitelisted globals only, nothing executed;
//   - a storage's record exists and holds exactly numel × element size bytes; a key is used with
//     one storage type and one numel; CRC-32s match (data.pkl and every storage used);
//   - the result is a dict of string → tensor; each tensor's sizes, strides and offset are
//     non-negative, its size does not overflow, its last element lies inside its storage, and it
//     has no more elements than its storage (broadcast views beyond that are refused, which bounds
//     every allocation by the file's size); no conjugate/negative bit is set.
// Supported storage types: Float, Half, BFloat16, Double, Long, Int, Short, Char, Byte, Bool.
// Refused: the legacy pre-1.6 format, TorchScript archives (their globals are not whitelisted).

import FileIO
import Foundation
import SafeTensors

/// One tensor of the state dict: a strided view into a storage.
public struct TorchTensorInfo: Sendable, Equatable {
    public let name: String
    public let dtype: DType
    public let shape: [Int]
    /// Strides in elements, as torch records them.
    public let strides: [Int]
    /// Offset of the first element in the storage, in elements.
    public let storageOffset: Int
    /// The storage's key; tensors with the same key share memory (tied weights, views).
    public let storageKey: String

    /// The number of elements, product(shape) (1 for a scalar).
    public var elementCount: Int { shape.reduce(1, *) }

    /// Whether the elements are laid out in C order without gaps (size-1 dimensions ignored).
    public var isContiguous: Bool {
        var expected = 1
        for d in stride(from: shape.count - 1, through: 0, by: -1) {
            if shape[d] == 0 { return true }
            if shape[d] != 1 && strides[d] != expected { return false }
            expected *= shape[d]
        }
        return true
    }
}

/// A validated PyTorch checkpoint held in memory (memory-mapped when opened from a URL).
public final class TorchCheckpoint: @unchecked Sendable {
    /// Names the file in errors ("<memory>" by default for in-memory data).
    public let path: String
    /// Every tensor, in the state dict's order.
    public let tensors: [TorchTensorInfo]
    /// True when the archive's byteorder record says "big" (values are swapped when read).
    public let isBigEndian: Bool

    private let file: Data
    /// Storage key → its bytes in the file.
    private let storageRanges: [String: Range<Int>]
    private let index: [String: Int]

    /// Maps the file at `url` and validates it fully (see the rules above).
    /// Throws `FileIOError` if it cannot be opened, `TorchPickleError` if it is malformed or unsafe.
    public convenience init(url: URL, verifyChecksums: Bool = true) throws {
        try self.init(data: try TextLines.readFile(url), path: url.path, verifyChecksums: verifyChecksums)
    }

    /// Validates `data` as a whole torch.save archive; `path` only names it in errors.
    /// `verifyChecksums` checks the CRC-32 of data.pkl and of every storage used.
    public init(data: Data, path: String = "<memory>", verifyChecksums: Bool = true) throws {
        self.path = path
        file = data
        let parsed = try data.withUnsafeBytes { try Parsed(file: $0, path: path, verifyChecksums: verifyChecksums) }
        tensors = parsed.tensors
        isBigEndian = parsed.isBigEndian
        storageRanges = parsed.storageRanges
        var index: [String: Int] = [:]
        for (i, t) in tensors.enumerated() { index[t.name] = i }
        self.index = index
    }

    /// The entry for `name`, or nil.
    public func info(_ name: String) -> TorchTensorInfo? { index[name].map { tensors[$0] } }

    // MARK: - Bytes

    /// Calls `body` with the tensor's elements in C order as little-endian bytes (the file's own
    /// bytes when the tensor is contiguous and little-endian; a gathered copy otherwise).
    public func withContiguousBytes<R>(_ name: String, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        let t = try lookup(name)
        let range = storageRanges[t.storageKey]!
        let size = t.dtype.byteSize
        return try file.withUnsafeBytes { whole in
            let storage = UnsafeRawBufferPointer(rebasing: whole[range])
            if t.isContiguous && (!isBigEndian || size == 1) {
                let start = t.storageOffset * size
                return try body(UnsafeRawBufferPointer(rebasing: storage[start..<(start + t.elementCount * size)]))
            }
            let out = UnsafeMutableRawBufferPointer.allocate(byteCount: t.elementCount * size, alignment: 16)
            defer { out.deallocate() }
            gather(t, from: storage, into: out, swapBytes: isBigEndian)
            return try body(UnsafeRawBufferPointer(out))
        }
    }

    // MARK: - Floating-point values

    /// Converts an F32, F16 or BF16 tensor to Float into `dst`, whose count must equal the
    /// element count (C order, whatever the tensor's strides).
    public func readFloats(_ name: String, into dst: UnsafeMutableBufferPointer<Float>) throws {
        let t = try lookup(name)
        guard t.dtype == .f32 || t.dtype == .f16 || t.dtype == .bf16 else {
            throw TorchPickleError.unsupportedConversion(path: path, tensor: name, dtype: t.dtype, to: "Float")
        }
        let n = t.elementCount
        guard dst.count == n else {
            throw TorchPickleError.destinationSizeMismatch(path: path, tensor: name, expected: n, actual: dst.count)
        }
        guard n > 0 else { return }
        try withContiguousBytes(name) { src in widenToFloat(src, dtype: t.dtype, into: dst) }
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

    /// The tensor's values as Int64 (I64, I32, I16, I8, U8 and BOOL tensors).
    public func int64s(_ name: String) throws -> [Int64] {
        let t = try lookup(name)
        let load: (UnsafeRawBufferPointer, Int) -> Int64
        switch t.dtype {
        case .i64: load = { Int64(littleEndian: $0.loadUnaligned(fromByteOffset: 8 * $1, as: Int64.self)) }
        case .i32: load = { Int64(Int32(littleEndian: $0.loadUnaligned(fromByteOffset: 4 * $1, as: Int32.self))) }
        case .i16: load = { Int64(Int16(littleEndian: $0.loadUnaligned(fromByteOffset: 2 * $1, as: Int16.self))) }
        case .i8: load = { Int64($0.load(fromByteOffset: $1, as: Int8.self)) }
        case .u8, .bool: load = { Int64($0[$1]) }
        default: throw TorchPickleError.unsupportedConversion(path: path, tensor: name, dtype: t.dtype, to: "Int64")
        }
        return try withContiguousBytes(name) { src in (0..<t.elementCount).map { load(src, $0) } }
    }

    private func lookup(_ name: String) throws -> TorchTensorInfo {
        guard let t = info(name) else { throw TorchPickleError.tensorNotFound(path: path, tensor: name) }
        return t
    }
}

// MARK: - Parsing

/// The archive read and checked: tensors, storage byte ranges and byte order.
private struct Parsed {
    var tensors: [TorchTensorInfo] = []
    var storageRanges: [String: Range<Int>] = [:]
    var isBigEndian = false

    init(file: UnsafeRawBufferPointer, path: String, verifyChecksums: Bool) throws {
        let zip: ZipArchive
        do {
            zip = try ZipArchive(file: file, path: path)
        } catch TorchPickleError.notAZipArchive {
            throw looksLikeLegacyTorchSave(file) ? TorchPickleError.legacyFormat(path: path) : TorchPickleError.notAZipArchive(path: path)
        }
        let pickles = zip.entries.filter { e in
            let parts = e.name.split(separator: "/", omittingEmptySubsequences: false)
            return parts.count == 2 && !parts[0].isEmpty && parts[1] == "data.pkl"
        }
        guard let pickle = pickles.first else { throw TorchPickleError.missingPickle(path: path, reason: "no <folder>/data.pkl record") }
        guard pickles.count == 1 else {
            throw TorchPickleError.missingPickle(path: path, reason: "\(pickles.count) data.pkl records (\(pickles.map(\.name).joined(separator: ", ")))")
        }
        let prefix = String(pickle.name.dropLast("data.pkl".count))
        if verifyChecksums { try ZipArchive.verify(pickle, file: file, path: path) }

        if let order = zip.entry(prefix + "byteorder") {
            if verifyChecksums { try ZipArchive.verify(order, file: file, path: path) }
            let value = String(decoding: UnsafeRawBufferPointer(rebasing: file[order.data]), as: UTF8.self)
            switch value {
            case "little": isBigEndian = false
            case "big": isBigEndian = true
            default: throw TorchPickleError.unknownByteOrder(path: path, value: String(value.prefix(40)))
            }
        }

        // Storages are checked when the pickle first names them.
        var storages: [String: StorageRef] = [:]
        var ranges: [String: Range<Int>] = [:]
        let resolve = { (key: String, type: StorageType, numel: Int64, offset: Int) throws -> StorageRef in
            if let known = storages[key] {
                guard known.dtype == type.dtype, Int64(known.numel) == numel else {
                    throw TorchPickleError.storageConflict(
                        path: path, key: key,
                        reason: "is used as \(known.numel) × \(known.dtype.rawValue) and as \(numel) × \(type.dtype.rawValue)")
                }
                return known
            }
            let record = prefix + "data/" + key
            guard let entry = zip.entry(record) else { throw TorchPickleError.missingRecord(path: path, record: record) }
            let (bytes, overflow) = Int(numel).multipliedReportingOverflow(by: type.dtype.byteSize)
            guard !overflow else { throw TorchPickleError.storageTooLarge(path: path, key: key, numel: Int(numel)) }
            guard bytes == entry.data.count else {
                throw TorchPickleError.storageSizeMismatch(path: path, key: key, expected: bytes, actual: entry.data.count)
            }
            if verifyChecksums { try ZipArchive.verify(entry, file: file, path: path) }
            let ref = StorageRef(key: key, dtype: type.dtype, numel: Int(numel))
            storages[key] = ref
            ranges[key] = entry.data
            return ref
        }
        let machine = Unpickler(bytes: UnsafeRawBufferPointer(rebasing: file[pickle.data]), path: path, resolveStorage: resolve)
        tensors = try machine.withResult { try collectStateDict($0, path: path) }
        storageRanges = ranges
    }
}

/// The pre-1.6 format starts with a pickled magic number (PROTO 2, LONG1 …); the older tar format
/// has "ustar" at byte 257.
private func looksLikeLegacyTorchSave(_ file: UnsafeRawBufferPointer) -> Bool {
    if file.count >= 2 && file[0] == 0x80 && file[1] <= 5 { return true }
    return file.count >= 262 && Array(file[257..<262]) == Array("ustar".utf8)
}

/// The state dict's entries as checked tensor descriptions, in order.
private func collectStateDict(_ result: PickleValue, path: String) throws -> [TorchTensorInfo] {
    guard case .dict(let dict) = result else { throw TorchPickleError.notAStateDict(path: path, found: result.kind) }
    var out: [TorchTensorInfo] = []
    out.reserveCapacity(dict.keys.count)
    for (k, v) in zip(dict.keys, dict.values) {
        guard case .string(let name) = k else { throw TorchPickleError.nonStringKey(path: path, found: k.kind) }
        guard case .tensor(let t) = v else { throw TorchPickleError.nonTensorEntry(path: path, key: name, found: v.kind) }
        try checkLayout(t, name: name, path: path)
        out.append(TorchTensorInfo(name: name, dtype: t.storage.dtype, shape: t.shape, strides: t.strides,
                                   storageOffset: t.offset, storageKey: t.storage.key))
    }
    return out
}

/// Sizes, strides and offset describe a view that stays inside the storage.
private func checkLayout(_ t: TensorRef, name: String, path: String) throws {
    if let reason = t.unsupportedMetadata {
        throw TorchPickleError.unsupportedTensorMetadata(path: path, tensor: name, reason: reason)
    }
    guard t.offset >= 0 else { throw TorchPickleError.tensorNegativeLayout(path: path, tensor: name, reason: "storage offset \(t.offset)") }
    guard t.shape.allSatisfy({ $0 >= 0 }) else { throw TorchPickleError.tensorNegativeLayout(path: path, tensor: name, reason: "size \(t.shape)") }
    guard t.strides.allSatisfy({ $0 >= 0 }) else { throw TorchPickleError.tensorNegativeLayout(path: path, tensor: name, reason: "stride \(t.strides)") }
    var count = 1
    for d in t.shape {
        let (p, overflow) = count.multipliedReportingOverflow(by: d)
        guard !overflow else { throw TorchPickleError.tensorShapeOverflow(path: path, tensor: name, shape: t.shape) }
        count = p
    }
    let numel = t.storage.numel
    guard count > 0 else {
        guard t.offset <= numel else {
            throw TorchPickleError.tensorOutOfStorage(path: path, tensor: name, lastElement: t.offset, storageElements: numel)
        }
        return
    }
    var last = t.offset
    for (size, stride) in zip(t.shape, t.strides) {
        let (step, o1) = (size - 1).multipliedReportingOverflow(by: stride)
        let (sum, o2) = last.addingReportingOverflow(step)
        guard !o1, !o2 else { last = Int.max; break }
        last = sum
    }
    guard last < numel else {
        throw TorchPickleError.tensorOutOfStorage(path: path, tensor: name, lastElement: last, storageElements: numel)
    }
    guard count <= numel else {
        throw TorchPickleError.tensorLargerThanStorage(path: path, tensor: name, elements: count, storageElements: numel)
    }
}
