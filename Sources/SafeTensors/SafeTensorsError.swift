// One error case per way a safetensors file (or a write request) can be wrong. Every case names
// the file (`path`, "<memory>" for in-memory data) and, where one is involved, the tensor.

/// A malformed safetensors file, a bad request to read one, or a bad request to write one.
public enum SafeTensorsError: Error, CustomStringConvertible, Equatable {
    // MARK: - Framing
    /// The file is shorter than the 8-byte header length.
    case fileTooShort(path: String, size: Int)
    /// The header length exceeds 100 MB (the limit of the reference implementation).
    case headerTooLarge(path: String, length: UInt64)
    /// The header length runs past the end of the file.
    case headerPastEndOfFile(path: String, length: UInt64, fileSize: Int)
    /// The header bytes are not valid UTF-8 (`offset` is relative to the header start).
    case headerNotUTF8(path: String, offset: Int)
    /// The header is not valid JSON (`offset` is relative to the header start).
    case headerNotJSON(path: String, offset: Int, reason: String)
    /// The header is valid JSON but not an object.
    case headerNotObject(path: String, found: String)

    // MARK: - Metadata
    /// "__metadata__" appears twice.
    case duplicateMetadata(path: String)
    /// "__metadata__" is not an object (nor null).
    case metadataNotObject(path: String, found: String)
    /// A metadata value is not a string.
    case metadataValueNotString(path: String, key: String, found: String)
    /// A metadata key appears twice.
    case duplicateMetadataKey(path: String, key: String)

    // MARK: - Tensor entries
    /// Two tensors have the same name (a JSON object with a repeated key).
    case duplicateTensor(path: String, tensor: String)
    /// A tensor's entry is not an object.
    case tensorEntryNotObject(path: String, tensor: String, found: String)
    /// A tensor's entry lacks "dtype", "shape" or "data_offsets".
    case missingField(path: String, tensor: String, field: String)
    /// A tensor's entry has a field the spec does not define.
    case unexpectedField(path: String, tensor: String, field: String)
    /// A tensor's entry repeats a field.
    case duplicateField(path: String, tensor: String, field: String)
    /// A field has the wrong JSON type (`expected` says what it must be).
    case wrongFieldType(path: String, tensor: String, field: String, expected: String, found: String)
    /// "dtype" names no known type.
    case unknownDType(path: String, tensor: String, dtype: String)
    /// A shape entry is not a non-negative integer that fits in Int (`text` is the JSON number).
    case invalidDimension(path: String, tensor: String, text: String)
    /// An offset is not a non-negative integer that fits in Int (`text` is the JSON number).
    case invalidOffset(path: String, tensor: String, text: String)
    /// The element count or byte length implied by the shape overflows Int.
    case shapeOverflow(path: String, tensor: String, shape: [Int])
    /// A packed sub-byte tensor (F4, F6) does not end on a byte boundary.
    case misalignedSubByteTensor(path: String, tensor: String)
    /// data_offsets has end < begin.
    case offsetsReversed(path: String, tensor: String, begin: Int, end: Int)
    /// end − begin differs from product(shape) × dtype size.
    case byteLengthMismatch(path: String, tensor: String, expected: Int, actual: Int)

    // MARK: - Layout of the data buffer
    /// A tensor starts before the previous one (in offset order) ends.
    case overlappingTensors(path: String, tensor: String, previous: String)
    /// Bytes [from, to) of the data buffer belong to no tensor.
    case gapBeforeTensor(path: String, tensor: String, from: Int, to: Int)
    /// The data buffer is shorter than the tensors' last offset.
    case truncatedData(path: String, expected: Int, actual: Int)
    /// The data buffer has bytes after the tensors' last offset.
    case trailingData(path: String, expected: Int, actual: Int)

    // MARK: - Reading values
    /// No tensor of that name.
    case tensorNotFound(path: String, tensor: String)
    /// The tensor's dtype cannot be read as the requested type.
    case unsupportedConversion(path: String, tensor: String, dtype: DType, to: String)
    /// The destination buffer's count differs from the tensor's element count.
    case destinationSizeMismatch(path: String, tensor: String, expected: Int, actual: Int)

    // MARK: - Writing
    /// The same tensor name was given twice.
    case writeDuplicateName(path: String, tensor: String)
    /// "__metadata__" is reserved and cannot name a tensor.
    case writeReservedName(path: String)
    /// The shape has a negative dimension, overflows, or does not match the data's element count.
    case writeShapeMismatch(path: String, tensor: String, shape: [Int], count: Int)
    /// Raw bytes given for a tensor differ in length from product(shape) × dtype size.
    case writeByteCountMismatch(path: String, tensor: String, expected: Int, actual: Int)
    /// The header would exceed 100 MB (`length`: its size, or a lower bound when the names and
    /// metadata alone exceed the limit).
    case writeHeaderTooLarge(path: String, length: Int)

    public var description: String {
        switch self {
        case let .fileTooShort(path, size):
            return "\(path): not a safetensors file: \(size) bytes, fewer than the 8-byte header length"
        case let .headerTooLarge(path, length):
            return "\(path): header length \(length) exceeds the 100000000-byte limit"
        case let .headerPastEndOfFile(path, length, fileSize):
            return "\(path): header length \(length) runs past the end of the \(fileSize)-byte file"
        case let .headerNotUTF8(path, offset):
            return "\(path): header is not valid UTF-8 (header byte \(offset))"
        case let .headerNotJSON(path, offset, reason):
            return "\(path): header is not valid JSON at header byte \(offset): \(reason)"
        case let .headerNotObject(path, found):
            return "\(path): header must be a JSON object, found \(found)"
        case let .duplicateMetadata(path):
            return "\(path): \"__metadata__\" appears twice in the header"
        case let .metadataNotObject(path, found):
            return "\(path): \"__metadata__\" must be an object of strings, found \(found)"
        case let .metadataValueNotString(path, key, found):
            return "\(path): metadata \"\(key)\" must be a string, found \(found)"
        case let .duplicateMetadataKey(path, key):
            return "\(path): metadata key \"\(key)\" appears twice"
        case let .duplicateTensor(path, tensor):
            return "\(path): tensor \"\(tensor)\" appears twice in the header"
        case let .tensorEntryNotObject(path, tensor, found):
            return "\(path): tensor \"\(tensor)\": entry must be an object, found \(found)"
        case let .missingField(path, tensor, field):
            return "\(path): tensor \"\(tensor)\": missing \"\(field)\""
        case let .unexpectedField(path, tensor, field):
            return "\(path): tensor \"\(tensor)\": unexpected field \"\(field)\""
        case let .duplicateField(path, tensor, field):
            return "\(path): tensor \"\(tensor)\": field \"\(field)\" appears twice"
        case let .wrongFieldType(path, tensor, field, expected, found):
            return "\(path): tensor \"\(tensor)\": \"\(field)\" must be \(expected), found \(found)"
        case let .unknownDType(path, tensor, dtype):
            return "\(path): tensor \"\(tensor)\": unknown dtype \"\(dtype)\""
        case let .invalidDimension(path, tensor, text):
            return "\(path): tensor \"\(tensor)\": shape entry \(text) is not a non-negative integer"
        case let .invalidOffset(path, tensor, text):
            return "\(path): tensor \"\(tensor)\": data offset \(text) is not a non-negative integer"
        case let .shapeOverflow(path, tensor, shape):
            return "\(path): tensor \"\(tensor)\": shape \(shape) is too large (size overflows)"
        case let .misalignedSubByteTensor(path, tensor):
            return "\(path): tensor \"\(tensor)\": packed elements do not fill whole bytes"
        case let .offsetsReversed(path, tensor, begin, end):
            return "\(path): tensor \"\(tensor)\": data_offsets [\(begin), \(end)] end before they begin"
        case let .byteLengthMismatch(path, tensor, expected, actual):
            return "\(path): tensor \"\(tensor)\": shape and dtype need \(expected) bytes, data_offsets span \(actual)"
        case let .overlappingTensors(path, tensor, previous):
            return "\(path): tensor \"\(tensor)\" overlaps tensor \"\(previous)\""
        case let .gapBeforeTensor(path, tensor, from, to):
            return "\(path): data bytes [\(from), \(to)) before tensor \"\(tensor)\" belong to no tensor"
        case let .truncatedData(path, expected, actual):
            return "\(path): data buffer is \(actual) bytes, the tensors need \(expected) (file truncated?)"
        case let .trailingData(path, expected, actual):
            return "\(path): data buffer is \(actual) bytes, the tensors cover only \(expected)"
        case let .tensorNotFound(path, tensor):
            return "\(path): no tensor \"\(tensor)\""
        case let .unsupportedConversion(path, tensor, dtype, to):
            return "\(path): tensor \"\(tensor)\" is \(dtype.rawValue), cannot read it as \(to)"
        case let .destinationSizeMismatch(path, tensor, expected, actual):
            return "\(path): tensor \"\(tensor)\" has \(expected) elements, destination holds \(actual)"
        case let .writeDuplicateName(path, tensor):
            return "\(path): tensor \"\(tensor)\" given twice"
        case let .writeReservedName(path):
            return "\(path): \"__metadata__\" cannot name a tensor"
        case let .writeShapeMismatch(path, tensor, shape, count):
            return "\(path): tensor \"\(tensor)\": shape \(shape) does not fit data of \(count) elements"
        case let .writeByteCountMismatch(path, tensor, expected, actual):
            return "\(path): tensor \"\(tensor)\": shape and dtype need \(expected) bytes, \(actual) given"
        case let .writeHeaderTooLarge(path, length):
            return "\(path): header of at least \(length) bytes exceeds the 100000000-byte limit"
        }
    }
}
