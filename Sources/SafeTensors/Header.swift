// Validation of a safetensors header against the rules listed in SafeTensorsFile.swift.

import JSON

/// The reference implementation's limit on the header length.
let maxHeaderLength = 100_000_000

/// Nesting deeper than this is refused (a 100 MB header of "[" must not overflow the stack).
let maxHeaderDepth = 64

/// The value of a JSON number if it is a non-negative integer literal that fits in Int (no sign,
/// fraction or exponent), else nil.
func nonNegativeInt(_ n: JSONNumber) -> Int? {
    n.text.utf8.first == UInt8(ascii: "-") ? nil : n.exactInteger(Int.self)
}

/// A fully validated header.
struct Header {
    var metadata: [String: String]
    /// In data-offset order.
    var tensors: [TensorInfo]
    /// 8 + N.
    var dataOffset: Int

    /// Validates a whole file's bytes; `path` names it in errors.
    static func parse(file: UnsafeRawBufferPointer, path: String) throws -> Header {
        guard file.count >= 8 else { throw SafeTensorsError.fileTooShort(path: path, size: file.count) }
        let declared = UInt64(littleEndian: file.loadUnaligned(as: UInt64.self))
        guard declared <= UInt64(maxHeaderLength) else {
            throw SafeTensorsError.headerTooLarge(path: path, length: declared)
        }
        let n = Int(declared)
        guard n <= file.count - 8 else {
            throw SafeTensorsError.headerPastEndOfFile(path: path, length: declared, fileSize: file.count)
        }
        let headerBytes = UnsafeRawBufferPointer(rebasing: file[8..<(8 + n)])
        if let bad = firstInvalidUTF8(headerBytes) { throw SafeTensorsError.headerNotUTF8(path: path, offset: bad) }
        let json: JSONValue
        do {
            json = try JSONParser.parse(headerBytes, maxDepth: maxHeaderDepth)
        } catch let e as JSONSyntaxError {
            throw SafeTensorsError.headerNotJSON(path: path, offset: e.offset, reason: e.message)
        }
        guard case let .object(members) = json else {
            throw SafeTensorsError.headerNotObject(path: path, found: json.excerpt)
        }

        var metadata: [String: String]? = nil
        var tensors: [TensorInfo] = []
        var seen = Set<String>()
        for m in members {
            if m.key == "__metadata__" {
                guard metadata == nil else { throw SafeTensorsError.duplicateMetadata(path: path) }
                metadata = try parseMetadata(m.value, path: path)
            } else {
                guard seen.insert(m.key).inserted else {
                    throw SafeTensorsError.duplicateTensor(path: path, tensor: m.key)
                }
                tensors.append(try parseTensor(name: m.key, m.value, path: path))
            }
        }

        tensors.sort { a, b in
            if a.byteRange.lowerBound != b.byteRange.lowerBound { return a.byteRange.lowerBound < b.byteRange.lowerBound }
            if a.byteRange.upperBound != b.byteRange.upperBound { return a.byteRange.upperBound < b.byteRange.upperBound }
            return a.name.utf8.lexicographicallyPrecedes(b.name.utf8)
        }
        var end = 0
        var previous: String? = nil
        for t in tensors {
            if t.byteRange.lowerBound > end {
                throw SafeTensorsError.gapBeforeTensor(path: path, tensor: t.name, from: end, to: t.byteRange.lowerBound)
            }
            if t.byteRange.lowerBound < end, let previous {
                throw SafeTensorsError.overlappingTensors(path: path, tensor: t.name, previous: previous)
            }
            end = t.byteRange.upperBound
            previous = t.name
        }
        let dataLength = file.count - 8 - n
        if dataLength < end { throw SafeTensorsError.truncatedData(path: path, expected: end, actual: dataLength) }
        if dataLength > end { throw SafeTensorsError.trailingData(path: path, expected: end, actual: dataLength) }
        return Header(metadata: metadata ?? [:], tensors: tensors, dataOffset: 8 + n)
    }

    // MARK: - Entries

    private static func parseMetadata(_ value: JSONValue, path: String) throws -> [String: String] {
        switch value {
        case .null:
            return [:]  // the reference implementation reads null as "no metadata"
        case let .object(members):
            var map: [String: String] = [:]
            for m in members {
                guard case let .string(s) = m.value else {
                    throw SafeTensorsError.metadataValueNotString(path: path, key: m.key, found: m.value.excerpt)
                }
                guard map.updateValue(s, forKey: m.key) == nil else {
                    throw SafeTensorsError.duplicateMetadataKey(path: path, key: m.key)
                }
            }
            return map
        default:
            throw SafeTensorsError.metadataNotObject(path: path, found: value.excerpt)
        }
    }

    private static func parseTensor(name: String, _ value: JSONValue, path: String) throws -> TensorInfo {
        guard case let .object(fields) = value else {
            throw SafeTensorsError.tensorEntryNotObject(path: path, tensor: name, found: value.excerpt)
        }
        var dtypeValue: JSONValue?, shapeValue: JSONValue?, offsetsValue: JSONValue?
        for f in fields {
            switch f.key {
            case "dtype": guard dtypeValue == nil else { throw duplicate(f.key) }; dtypeValue = f.value
            case "shape": guard shapeValue == nil else { throw duplicate(f.key) }; shapeValue = f.value
            case "data_offsets": guard offsetsValue == nil else { throw duplicate(f.key) }; offsetsValue = f.value
            default: throw SafeTensorsError.unexpectedField(path: path, tensor: name, field: f.key)
            }
        }
        func duplicate(_ field: String) -> SafeTensorsError {
            .duplicateField(path: path, tensor: name, field: field)
        }
        func wrongType(_ field: String, _ expected: String, _ found: JSONValue) -> SafeTensorsError {
            .wrongFieldType(path: path, tensor: name, field: field, expected: expected, found: found.excerpt)
        }
        guard let dtypeValue else { throw SafeTensorsError.missingField(path: path, tensor: name, field: "dtype") }
        guard let shapeValue else { throw SafeTensorsError.missingField(path: path, tensor: name, field: "shape") }
        guard let offsetsValue else { throw SafeTensorsError.missingField(path: path, tensor: name, field: "data_offsets") }

        // dtype
        guard case let .string(dtypeName) = dtypeValue else { throw wrongType("dtype", "a string", dtypeValue) }
        guard let dtype = DType(rawValue: dtypeName) else {
            throw SafeTensorsError.unknownDType(path: path, tensor: name, dtype: dtypeName)
        }

        // shape
        let shapeExpected = "an array of non-negative integers"
        guard case let .array(dims) = shapeValue else { throw wrongType("shape", shapeExpected, shapeValue) }
        var shape: [Int] = []
        shape.reserveCapacity(dims.count)
        for d in dims {
            guard case let .number(n) = d else { throw wrongType("shape", shapeExpected, d) }
            guard let v = nonNegativeInt(n) else {
                throw SafeTensorsError.invalidDimension(path: path, tensor: name, text: n.text)
            }
            shape.append(v)
        }

        // data_offsets
        let offsetsExpected = "an array of two non-negative integers"
        guard case let .array(offsets) = offsetsValue, offsets.count == 2 else {
            throw wrongType("data_offsets", offsetsExpected, offsetsValue)
        }
        var bounds: [Int] = []
        for o in offsets {
            guard case let .number(n) = o else { throw wrongType("data_offsets", offsetsExpected, o) }
            guard let v = nonNegativeInt(n) else {
                throw SafeTensorsError.invalidOffset(path: path, tensor: name, text: n.text)
            }
            bounds.append(v)
        }
        let (begin, end) = (bounds[0], bounds[1])

        // sizes: product(shape) × dtype size, every product checked
        var elements = 1
        for d in shape {
            let (p, overflow) = elements.multipliedReportingOverflow(by: d)
            guard !overflow else { throw SafeTensorsError.shapeOverflow(path: path, tensor: name, shape: shape) }
            elements = p
        }
        let byteLength: Int
        if dtype.bitSize % 8 == 0 {
            let (bytes, overflow) = elements.multipliedReportingOverflow(by: dtype.bitSize / 8)
            guard !overflow else { throw SafeTensorsError.shapeOverflow(path: path, tensor: name, shape: shape) }
            byteLength = bytes
        } else {  // packed F4/F6: whole bytes only
            let (bits, overflow) = elements.multipliedReportingOverflow(by: dtype.bitSize)
            guard !overflow else { throw SafeTensorsError.shapeOverflow(path: path, tensor: name, shape: shape) }
            guard bits % 8 == 0 else { throw SafeTensorsError.misalignedSubByteTensor(path: path, tensor: name) }
            byteLength = bits / 8
        }
        guard end >= begin else {
            throw SafeTensorsError.offsetsReversed(path: path, tensor: name, begin: begin, end: end)
        }
        guard end - begin == byteLength else {
            throw SafeTensorsError.byteLengthMismatch(path: path, tensor: name, expected: byteLength, actual: end - begin)
        }
        return TensorInfo(name: name, dtype: dtype, shape: shape, byteRange: begin..<end)
    }
}

/// The offset of the first byte that is not part of valid UTF-8, or nil if all of it is valid.
func firstInvalidUTF8(_ bytes: UnsafeRawBufferPointer) -> Int? {
    // Fast path: pure ASCII (the usual header).
    guard let firstHigh = bytes.firstIndex(where: { $0 >= 0x80 }) else { return nil }
    var decoder = UTF8()
    var iterator = bytes[firstHigh...].makeIterator()
    var offset = firstHigh
    while true {
        switch decoder.decode(&iterator) {
        case let .scalarValue(s): offset += UTF8.width(s)
        case .emptyInput: return nil
        case .error: return offset
        }
    }
}
