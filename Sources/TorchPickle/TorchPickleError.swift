// One error case per way a pytorch_model.bin can be wrong or unsafe. Every case names the file
// (`path`, "<memory>" for in-memory data); pickle errors also give the byte offset in data.pkl of
// the opcode that failed, state-dict errors the tensor.

import SafeTensors

/// A malformed, unsupported or unsafe PyTorch checkpoint, or a bad request to read one.
public enum TorchPickleError: Error, CustomStringConvertible, Equatable {
    // MARK: - Container
    /// No ZIP end-of-central-directory record: not a ZIP archive, or truncated.
    case notAZipArchive(path: String)
    /// The pre-1.6 `torch.save` format (pickles back to back, or a tar file), not supported.
    case legacyFormat(path: String)
    /// The archive spans several disks.
    case zipMultiDisk(path: String)
    /// A ZIP structure (central directory, an entry's header or data) lies outside the file.
    case zipOutOfBounds(path: String, what: String)
    /// A ZIP record does not start with its signature.
    case zipBadSignature(path: String, what: String, offset: Int)
    /// A ZIP64 field the record announces (a 32-bit field of all ones) is missing.
    case zipMissingZip64Field(path: String, entry: String, field: String)
    /// An entry is compressed (method 8 is deflate); torch.save stores entries uncompressed.
    case zipCompressedEntry(path: String, entry: String, method: Int)
    /// An entry is encrypted.
    case zipEncryptedEntry(path: String, entry: String)
    /// Two entries have the same name.
    case zipDuplicateEntry(path: String, entry: String)
    /// An entry's name in its local header differs from the central directory's.
    case zipNameMismatch(path: String, entry: String, local: String)
    /// An entry's name is not UTF-8.
    case zipNameNotUTF8(path: String, offset: Int)
    /// An entry's CRC-32 differs from the one recorded for it.
    case zipChecksumMismatch(path: String, entry: String, expected: UInt32, actual: UInt32)

    // MARK: - Archive records
    /// No "<archive>/data.pkl", or more than one top-level folder holds one.
    case missingPickle(path: String, reason: String)
    /// A record the pickle refers to is absent (a storage "data/<key>").
    case missingRecord(path: String, record: String)
    /// The byteorder record is neither "little" nor "big".
    case unknownByteOrder(path: String, value: String)

    // MARK: - Pickle machine
    /// data.pkl ends inside an opcode or before STOP.
    case pickleTruncated(path: String, offset: Int)
    /// Bytes follow the STOP opcode.
    case pickleTrailingData(path: String, offset: Int)
    /// An opcode this reader does not implement (or refuses: INST, OBJ, NEWOBJ, EXT…).
    case unsupportedOpcode(path: String, offset: Int, opcode: String)
    /// A global outside the whitelist (module.name), found by `opcode` (GLOBAL, STACK_GLOBAL, INST).
    case forbiddenGlobal(path: String, offset: Int, opcode: String, global: String)
    /// REDUCE or BUILD applied to something that may not be called or built.
    case forbiddenCall(path: String, offset: Int, callee: String)
    /// A whitelisted callable got arguments it does not accept.
    case invalidArguments(path: String, offset: Int, callee: String, reason: String)
    /// The opcodes do not form a valid pickle (stack underflow, missing MARK, wrong operand type…).
    case malformedPickle(path: String, offset: Int, reason: String)
    /// BINGET/LONG_BINGET of a memo index never stored.
    case memoMissing(path: String, offset: Int, index: Int)
    /// Containers nested deeper than the limit.
    case nestingTooDeep(path: String, offset: Int, limit: Int)
    /// An integer wider than 64 bits.
    case integerTooLarge(path: String, offset: Int, bytes: Int)

    // MARK: - Storages and tensors
    /// A persistent id that is not ('storage', <storage class>, key, location, numel).
    case invalidPersistentID(path: String, offset: Int, reason: String)
    /// A storage class this reader has no dtype for (complex, quantized, untyped…).
    case unsupportedStorageType(path: String, offset: Int, name: String)
    /// A storage's numel × element size overflows.
    case storageTooLarge(path: String, key: String, numel: Int)
    /// A storage's record holds a different number of bytes than numel × element size.
    case storageSizeMismatch(path: String, key: String, expected: Int, actual: Int)
    /// One storage key used with two dtypes or two sizes.
    case storageConflict(path: String, key: String, reason: String)
    /// product(shape) overflows.
    case tensorShapeOverflow(path: String, tensor: String, shape: [Int])
    /// A negative size, stride or storage offset.
    case tensorNegativeLayout(path: String, tensor: String, reason: String)
    /// The tensor's view reaches past the end of its storage.
    case tensorOutOfStorage(path: String, tensor: String, lastElement: Int, storageElements: Int)
    /// A broadcast (overlapping) view with more elements than its storage holds.
    case tensorLargerThanStorage(path: String, tensor: String, elements: Int, storageElements: Int)
    /// Tensor metadata this reader cannot honour (conjugate or negative bit set).
    case unsupportedTensorMetadata(path: String, tensor: String, reason: String)

    // MARK: - State dict
    /// The pickle's result is not a dict.
    case notAStateDict(path: String, found: String)
    /// A key of the state dict is not a string.
    case nonStringKey(path: String, found: String)
    /// A state dict value is not a tensor.
    case nonTensorEntry(path: String, key: String, found: String)

    // MARK: - Reading values
    /// No tensor of that name.
    case tensorNotFound(path: String, tensor: String)
    /// The tensor's dtype cannot be read as the requested type.
    case unsupportedConversion(path: String, tensor: String, dtype: DType, to: String)
    /// The destination buffer's count differs from the tensor's element count.
    case destinationSizeMismatch(path: String, tensor: String, expected: Int, actual: Int)

    public var description: String {
        switch self {
        case let .notAZipArchive(path):
            return "\(path): not a ZIP archive (no end-of-central-directory record; truncated, or not a torch.save file)"
        case let .legacyFormat(path):
            return "\(path): legacy (pre-1.6) torch.save format is not supported; re-save it with torch ≥ 1.6 " +
                "(torch.save(torch.load(f, weights_only=True), f)) or save model.safetensors instead"
        case let .zipMultiDisk(path):
            return "\(path): multi-disk ZIP archives are not supported"
        case let .zipOutOfBounds(path, what):
            return "\(path): ZIP \(what) lies outside the file (truncated or corrupt)"
        case let .zipBadSignature(path, what, offset):
            return "\(path): no ZIP \(what) signature at byte \(offset) (corrupt archive)"
        case let .zipMissingZip64Field(path, entry, field):
            return "\(path): ZIP entry \"\(entry)\": ZIP64 \(field) announced but missing"
        case let .zipCompressedEntry(path, entry, method):
            let kind = method == 8 ? "deflate-compressed" : "compressed with method \(method)"
            return "\(path): ZIP entry \"\(entry)\" is \(kind); only stored (uncompressed) entries are supported, " +
                "as torch.save writes them (re-save with torch.save)"
        case let .zipEncryptedEntry(path, entry):
            return "\(path): ZIP entry \"\(entry)\" is encrypted"
        case let .zipDuplicateEntry(path, entry):
            return "\(path): ZIP entry \"\(entry)\" appears twice"
        case let .zipNameMismatch(path, entry, local):
            return "\(path): ZIP entry \"\(entry)\" is named \"\(local)\" in its local header"
        case let .zipNameNotUTF8(path, offset):
            return "\(path): ZIP entry name at byte \(offset) is not UTF-8"
        case let .zipChecksumMismatch(path, entry, expected, actual):
            return "\(path): ZIP entry \"\(entry)\" is corrupt: CRC-32 \(hex(actual)), recorded \(hex(expected))"
        case let .missingPickle(path, reason):
            return "\(path): not a torch.save archive: \(reason)"
        case let .missingRecord(path, record):
            return "\(path): archive has no record \"\(record)\""
        case let .unknownByteOrder(path, value):
            return "\(path): unknown byteorder \"\(value)\" (expected little or big)"
        case let .pickleTruncated(path, offset):
            return "\(path): data.pkl ends at byte \(offset) inside an opcode or before STOP (truncated)"
        case let .pickleTrailingData(path, offset):
            return "\(path): data.pkl has bytes after STOP at byte \(offset)"
        case let .unsupportedOpcode(path, offset, opcode):
            return "\(path): data.pkl byte \(offset): opcode \(opcode) is not allowed in a state dict (refused, nothing executed)"
        case let .forbiddenGlobal(path, offset, opcode, global):
            return "\(path): data.pkl byte \(offset): \(opcode) \(global) is not on the whitelist of state-dict globals (refused, nothing executed)"
        case let .forbiddenCall(path, offset, callee):
            return "\(path): data.pkl byte \(offset): \(callee) is not allowed (refused, nothing executed)"
        case let .invalidArguments(path, offset, callee, reason):
            return "\(path): data.pkl byte \(offset): \(callee): \(reason)"
        case let .malformedPickle(path, offset, reason):
            return "\(path): data.pkl byte \(offset): malformed pickle: \(reason)"
        case let .memoMissing(path, offset, index):
            return "\(path): data.pkl byte \(offset): memo index \(index) was never stored"
        case let .nestingTooDeep(path, offset, limit):
            return "\(path): data.pkl byte \(offset): containers nested deeper than \(limit) levels"
        case let .integerTooLarge(path, offset, bytes):
            return "\(path): data.pkl byte \(offset): \(bytes)-byte integer does not fit in 64 bits"
        case let .invalidPersistentID(path, offset, reason):
            return "\(path): data.pkl byte \(offset): invalid storage reference: \(reason)"
        case let .unsupportedStorageType(path, offset, name):
            return "\(path): data.pkl byte \(offset): storage type \(name) is not supported " +
                "(supported: \(StorageType.supportedNames.joined(separator: ", ")))"
        case let .storageTooLarge(path, key, numel):
            return "\(path): storage \"\(key)\": \(numel) elements overflow its byte size"
        case let .storageSizeMismatch(path, key, expected, actual):
            return "\(path): storage \"\(key)\" needs \(expected) bytes, its record holds \(actual)"
        case let .storageConflict(path, key, reason):
            return "\(path): storage \"\(key)\" \(reason)"
        case let .tensorShapeOverflow(path, tensor, shape):
            return "\(path): tensor \"\(tensor)\": shape \(shape) is too large (size overflows)"
        case let .tensorNegativeLayout(path, tensor, reason):
            return "\(path): tensor \"\(tensor)\": \(reason)"
        case let .tensorOutOfStorage(path, tensor, lastElement, storageElements):
            return "\(path): tensor \"\(tensor)\" reaches element \(lastElement) of a storage of \(storageElements) elements"
        case let .tensorLargerThanStorage(path, tensor, elements, storageElements):
            return "\(path): tensor \"\(tensor)\" is a broadcast view of \(elements) elements over a storage of " +
                "\(storageElements); such views are not supported"
        case let .unsupportedTensorMetadata(path, tensor, reason):
            return "\(path): tensor \"\(tensor)\": unsupported metadata: \(reason)"
        case let .notAStateDict(path, found):
            return "\(path): expected a state dict (a dict of name → tensor), found \(found)"
        case let .nonStringKey(path, found):
            return "\(path): state dict key is \(found), not a string"
        case let .nonTensorEntry(path, key, found):
            return "\(path): state dict entry \"\(key)\" is \(found), not a tensor"
        case let .tensorNotFound(path, tensor):
            return "\(path): no tensor \"\(tensor)\""
        case let .unsupportedConversion(path, tensor, dtype, to):
            return "\(path): tensor \"\(tensor)\" is \(dtype.rawValue), cannot read it as \(to)"
        case let .destinationSizeMismatch(path, tensor, expected, actual):
            return "\(path): tensor \"\(tensor)\" has \(expected) elements, destination holds \(actual)"
        }
    }
}

private func hex(_ v: UInt32) -> String {
    let s = String(v, radix: 16)
    return "0x" + String(repeating: "0", count: 8 - s.count) + s
}
