// NumPy .npy files holding a float32, int8 or uint8 matrix, written the way numpy 2.x `np.save`
// writes them (numpy/lib/_format_impl.py), so embeddings can be loaded with `numpy.load`:
//   bytes 0–5   magic "\x93NUMPY"
//   bytes 6–7   format version 1.0
//   bytes 8–9   H, the header length, u16 little-endian
//   H bytes     the Python-literal dict "{'descr': D, 'fortran_order': False, 'shape': (R, C), }"
//               (D is '<f4', '|i1' or '|u1': numpy's `dtype.str`, '|' for single bytes, which
//               have no byte order), followed by 21 − digits(R) spaces (numpy's room to grow the
//               first axis in place), then spaces up to and a final "\n" so the data starts at a
//               multiple of 64 (numpy adds a whole 64 bytes when it would already be aligned)
//   then        R × C elements, row-major (float32 little-endian).
// The writer streams rows and never holds the matrix; `read` (for tests and small files) also
// accepts versions 2.0 and 3.0, whose header length is a u32.

import Foundation

/// Problems writing or reading an .npy file, each naming the file.
public enum NPYError: Error, CustomStringConvertible, Equatable {
    /// The fill closure emitted a different number of rows than declared.
    case rowCountMismatch(path: String, expected: Int, actual: Int)
    /// The fill closure emitted a block that is not a whole number of rows.
    case partialRow(path: String, count: Int, columns: Int)
    /// The file does not start with the .npy magic.
    case notNPY(path: String)
    /// A format version other than 1.0, 2.0 or 3.0.
    case unsupportedVersion(path: String, major: Int, minor: Int)
    /// The file ends inside the header.
    case truncatedHeader(path: String)
    /// The header is not a dict this reader understands (only C-order '<f4', '|i1' and '|u1'
    /// arrays are read).
    case unsupportedHeader(path: String, header: String)
    /// A readable array of another element type than the caller asked for.
    case dtypeMismatch(path: String, expected: String, actual: String)
    /// The data is not product(shape) × element size bytes long.
    case dataSizeMismatch(path: String, expected: Int, actual: Int)

    public var description: String {
        switch self {
        case let .rowCountMismatch(path, expected, actual):
            return "\(path): \(actual) rows written, \(expected) declared"
        case let .partialRow(path, count, columns):
            return "\(path): a block of \(count) floats is not whole rows of \(columns)"
        case let .notNPY(path): return "\(path): not an .npy file (bad magic)"
        case let .unsupportedVersion(path, major, minor): return "\(path): unsupported .npy version \(major).\(minor)"
        case let .truncatedHeader(path): return "\(path): .npy header is truncated"
        case let .unsupportedHeader(path, header):
            return "\(path): unsupported .npy header (need a C-order '<f4', '|i1' or '|u1' array): \(header)"
        case let .dtypeMismatch(path, expected, actual):
            return "\(path): the .npy array holds '\(actual)', not '\(expected)'"
        case let .dataSizeMismatch(path, expected, actual):
            return "\(path): .npy data is \(actual) bytes, the shape needs \(expected)"
        }
    }
}

/// An element type of the matrices `NPY` writes and reads: its numpy descr and its bytes in a file.
public protocol NPYElement: Sendable {
    /// numpy's `dtype.str`: "<f4", "|i1", "|u1".
    static var npyDescr: String { get }
    /// Writes `block` to `fd` in the file's byte order (little-endian).
    static func npyWrite(_ block: UnsafeBufferPointer<Self>, fd: Int32, path: String) throws
    /// The element stored at `offset` of `bytes`.
    static func npyLoad(_ bytes: UnsafeRawBufferPointer, offset: Int) -> Self
}

extension Float: NPYElement {
    public static var npyDescr: String { "<f4" }
    public static func npyWrite(_ block: UnsafeBufferPointer<Float>, fd: Int32, path: String) throws {
        try AtomicFile.writeAllLittleEndian(fd: fd, block, path: path)
    }
    public static func npyLoad(_ bytes: UnsafeRawBufferPointer, offset: Int) -> Float {
        Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
    }
}

extension Int8: NPYElement {
    public static var npyDescr: String { "|i1" }
    public static func npyWrite(_ block: UnsafeBufferPointer<Int8>, fd: Int32, path: String) throws {
        try AtomicFile.writeAll(fd: fd, UnsafeRawBufferPointer(block), path: path)
    }
    public static func npyLoad(_ bytes: UnsafeRawBufferPointer, offset: Int) -> Int8 { Int8(bitPattern: bytes[offset]) }
}

extension UInt8: NPYElement {
    public static var npyDescr: String { "|u1" }
    public static func npyWrite(_ block: UnsafeBufferPointer<UInt8>, fd: Int32, path: String) throws {
        try AtomicFile.writeAll(fd: fd, UnsafeRawBufferPointer(block), path: path)
    }
    public static func npyLoad(_ bytes: UnsafeRawBufferPointer, offset: Int) -> UInt8 { bytes[offset] }
}

public enum NPY {
    private static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)
    /// The descrs `read` understands.
    static let knownDescrs: Set<String> = [Float.npyDescr, Int8.npyDescr, UInt8.npyDescr]

    // MARK: - Writing

    /// Writes a rows × columns float32 matrix to `url` atomically. `fill` receives `emitRows`,
    /// which it calls with consecutive blocks of whole rows (row-major) until all `rows` are
    /// emitted; emitting too many or too few rows, or a partial row, throws and leaves no file.
    public static func write(
        rows: Int, columns: Int, to url: URL,
        _ fill: (_ emitRows: (UnsafeBufferPointer<Float>) throws -> Void) throws -> Void
    ) throws {
        try write(Float.self, rows: rows, columns: columns, to: url, fill)
    }

    /// `write(rows:columns:to:_:)` for a matrix of `Element` (float32, int8 or uint8).
    public static func write<Element: NPYElement>(
        _ element: Element.Type, rows: Int, columns: Int, to url: URL,
        _ fill: (_ emitRows: (UnsafeBufferPointer<Element>) throws -> Void) throws -> Void
    ) throws {
        precondition(rows >= 0 && columns >= 0, "NPY.write: negative shape (\(rows), \(columns))")
        let header = headerBytes(rows: rows, columns: columns, descr: Element.npyDescr)
        try AtomicFile.write(to: url) { fd, path in
            try header.withUnsafeBytes { try AtomicFile.writeAll(fd: fd, $0, path: path) }
            var written = 0
            try fill { block in
                if columns == 0 {
                    guard block.isEmpty else { throw NPYError.partialRow(path: path, count: block.count, columns: 0) }
                    return
                }
                guard block.count % columns == 0 else {
                    throw NPYError.partialRow(path: path, count: block.count, columns: columns)
                }
                let k = block.count / columns
                guard written + k <= rows else {
                    throw NPYError.rowCountMismatch(path: path, expected: rows, actual: written + k)
                }
                try Element.npyWrite(block, fd: fd, path: path)
                written += k
            }
            if columns > 0 && written != rows {
                throw NPYError.rowCountMismatch(path: path, expected: rows, actual: written)
            }
        }
    }

    /// Writes a whole rows × columns matrix held in memory.
    public static func write<Element: NPYElement>(_ matrix: UnsafeBufferPointer<Element>, rows: Int, columns: Int,
                                                  to url: URL) throws {
        precondition(matrix.count == rows * columns, "NPY.write: \(matrix.count) elements for shape (\(rows), \(columns))")
        try write(Element.self, rows: rows, columns: columns, to: url) { emit in try emit(matrix) }
    }

    /// Magic, version 1.0, header length and the padded header dict: everything before the data.
    public static func headerBytes(rows: Int, columns: Int, descr: String = Float.npyDescr) -> [UInt8] {
        var dict = "{'descr': '\(descr)', 'fortran_order': False, 'shape': (\(rows), \(columns)), }"
        dict += String(repeating: " ", count: max(0, 21 - String(rows).count))
        let withNewline = dict.utf8.count + 1
        let pad = 64 - (magic.count + 2 + 2 + withNewline) % 64
        let length = withNewline + pad
        precondition(length <= Int(UInt16.max), "NPY header too long for format 1.0")
        var out = magic + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)]
        out += Array(dict.utf8)
        out += [UInt8](repeating: UInt8(ascii: " "), count: pad)
        out.append(UInt8(ascii: "\n"))
        return out
    }

    // MARK: - Reading

    /// Reads a C-order little-endian float32 array of any rank (for tests and small files).
    public static func read(_ url: URL) throws -> (shape: [Int], data: [Float]) {
        try read(url, as: Float.self)
    }

    /// Reads a C-order array of `Element` of any rank; another known element type is
    /// `NPYError.dtypeMismatch` (for tests and small files).
    public static func read<Element: NPYElement>(_ url: URL, as element: Element.Type) throws -> (shape: [Int], data: [Element]) {
        let path = url.path
        let file = try TextLines.readFile(url)
        return try file.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> (shape: [Int], data: [Element]) in
            let (descr, shape, dataStart, text) = try header(bytes, path: path)
            guard descr == Element.npyDescr else {
                throw NPYError.dtypeMismatch(path: path, expected: Element.npyDescr, actual: descr)
            }
            let size = MemoryLayout<Element>.size
            guard let expected = dataBytes(shape: shape, descr: descr) else { throw NPYError.unsupportedHeader(path: path, header: text) }
            let actual = bytes.count - dataStart
            guard actual == expected else {
                throw NPYError.dataSizeMismatch(path: path, expected: expected, actual: actual)
            }
            let data = (0..<expected / size).map { i in Element.npyLoad(bytes, offset: dataStart + size * i) }
            return (shape, data)
        }
    }

    /// The data's length for `shape` of a known `descr`: product(shape) × element size, or nil if
    /// that overflows (a hostile header) or the descr is unknown.
    public static func dataBytes(shape: [Int], descr: String) -> Int? {
        guard let size = [Float.npyDescr: 4, Int8.npyDescr: 1, UInt8.npyDescr: 1][descr] else { return nil }
        var bytes = size
        for d in shape {
            let (p, overflow) = bytes.multipliedReportingOverflow(by: d)
            guard !overflow, d >= 0 else { return nil }
            bytes = p
        }
        return bytes
    }

    /// The header of the .npy file in `bytes` (named `path` in errors): its descr, shape, where
    /// its data starts, and the header dict's text.
    public static func header(_ bytes: UnsafeRawBufferPointer, path: String) throws
        -> (descr: String, shape: [Int], dataStart: Int, text: String)
    {
        guard bytes.count >= 8, bytes.prefix(6).elementsEqual(magic) else { throw NPYError.notNPY(path: path) }
        let (major, minor) = (Int(bytes[6]), Int(bytes[7]))
        let lengthBytes: Int
        switch (major, minor) {
        case (1, 0): lengthBytes = 2
        case (2, 0), (3, 0): lengthBytes = 4
        default: throw NPYError.unsupportedVersion(path: path, major: major, minor: minor)
        }
        guard bytes.count >= 8 + lengthBytes else { throw NPYError.truncatedHeader(path: path) }
        var headerLength = 0
        for i in (0..<lengthBytes).reversed() { headerLength = headerLength << 8 | Int(bytes[8 + i]) }
        let dataStart = 8 + lengthBytes + headerLength
        guard bytes.count >= dataStart else { throw NPYError.truncatedHeader(path: path) }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[(8 + lengthBytes)..<dataStart]), as: UTF8.self)
        guard let (descr, shape) = parseHeader(text) else { throw NPYError.unsupportedHeader(path: path, header: text) }
        return (descr, shape, dataStart, text)
    }

    /// The descr and shape from a header dict with a known descr ('<f4', '|i1', '|u1') and
    /// fortran_order False, else nil.
    static func parseHeader(_ text: String) -> (descr: String, shape: [Int])? {
        var s = Substring(text.trimmingCharacters(in: .whitespacesAndNewlines))
        guard s.hasPrefix("{"), s.hasSuffix("}") else { return nil }
        s = s.dropFirst().dropLast()
        var descr: String?, fortran: Bool?, shape: [Int]?
        while true {
            s = s.drop(while: { $0 == " " || $0 == "," })
            if s.isEmpty { break }
            guard let keyEnd = s.dropFirst().firstIndex(of: "'"), s.first == "'" else { return nil }
            let key = s[s.index(after: s.startIndex)..<keyEnd]
            s = s[s.index(after: keyEnd)...].drop(while: { $0 == " " })
            guard s.first == ":" else { return nil }
            s = s.dropFirst().drop(while: { $0 == " " })
            switch key {
            case "descr":
                guard s.first == "'", let end = s.dropFirst().firstIndex(of: "'") else { return nil }
                descr = String(s[s.index(after: s.startIndex)..<end])
                s = s[s.index(after: end)...]
            case "fortran_order":
                if s.hasPrefix("False") { fortran = false; s = s.dropFirst(5) }
                else if s.hasPrefix("True") { fortran = true; s = s.dropFirst(4) }
                else { return nil }
            case "shape":
                guard s.first == "(", let end = s.firstIndex(of: ")") else { return nil }
                let inner = s[s.index(after: s.startIndex)..<end]
                var dims: [Int] = []
                for part in inner.split(separator: ",") {
                    let t = part.trimmingCharacters(in: .whitespaces)
                    guard let d = Int(t), d >= 0 else { return nil }
                    dims.append(d)
                }
                shape = dims
                s = s[s.index(after: end)...]
            default:
                return nil
            }
        }
        guard let descr, knownDescrs.contains(descr), fortran == false, let shape else { return nil }
        return (descr, shape)
    }
}
