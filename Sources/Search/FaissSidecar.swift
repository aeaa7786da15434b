// The file beside a FAISS index that makes it a mirror-bert index: what made the vectors, the
// texts in row order, and the FAISS file's size and XXH64. FAISS's reader is a parser of outside
// files, so a FAISS file is opened only when its sidecar says this tool wrote it and its bytes
// match the checksum. Format, version 1; integers little-endian:
//
//   offset 0   8 bytes   magic "MBRTFAIS"
//          8   u32       version (1)
//         12   u32       header length L, 1 ≤ L ≤ 65536
//         16   L bytes   UTF-8 JSON object with exactly the keys
//                        "index": the index file's header (IndexHeader: model, pooling, max length,
//                                 dimension D, count N, normalized),
//                        "faiss": {"factory": the index-factory string, "file": the FAISS file's
//                                 name (beside the sidecar), "bytes": its size, "xxh64": 16 hex digits}
//       16+L   N texts as in the index file (u32 byte length, UTF-8 without NUL), to the end.
//
// The sidecar of "corpus.faiss" is "corpus.faiss.mirror-bert".

import FileIO
import Foundation
import JSON

public struct FaissSidecar: Equatable, Sendable {
    public var header: IndexHeader
    /// The index-factory string the FAISS index was made from ("HNSW32", "IVF1024,Flat", …).
    public var factory: String
    /// The FAISS file's name (in the sidecar's folder), size and XXH64.
    public var file: String
    public var bytes: Int
    public var xxh64: String

    public static let magic: [UInt8] = Array("MBRTFAIS".utf8)
    public static let version: UInt32 = 1
    public static let suffix = ".mirror-bert"

    public init(header: IndexHeader, factory: String, file: String, bytes: Int, xxh64: String) {
        self.header = header; self.factory = factory; self.file = file; self.bytes = bytes; self.xxh64 = xxh64
    }

    /// "corpus.faiss" → "corpus.faiss.mirror-bert".
    public static func url(for faissFile: URL) -> URL {
        faissFile.deletingLastPathComponent().appendingPathComponent(faissFile.lastPathComponent + suffix)
    }

    private struct Faiss: Codable {
        var factory: String
        var file: String
        var bytes: Int
        var xxh64: String
    }

    // MARK: - Writing

    /// Writes the sidecar and `texts` (header.count of them) to `url` atomically.
    public func write(texts: [String], to url: URL) throws {
        precondition(texts.count == header.count, "sidecar texts must match the header's count")
        let json = JSONValue.object([
            (key: "index", value: try header.jsonValue()),
            (key: "faiss", value: try JSONValueEncoder().encode(Faiss(factory: factory, file: file, bytes: bytes, xxh64: xxh64))),
        ]).serialized()
        precondition(json.count <= IndexFile.maxHeaderSize, "sidecar header too long")
        var preamble = Self.magic
        IndexFile.append(Self.version, to: &preamble)
        IndexFile.append(UInt32(json.count), to: &preamble)
        preamble += json
        try AtomicFile.write(to: url) { fd, path in
            try preamble.withUnsafeBytes { try AtomicFile.writeAll(fd: fd, $0, path: path) }
            try IndexFile.writeTexts(texts, fd: fd, path: path)
        }
    }

    // MARK: - Reading

    /// Reads and validates the sidecar at `url` and its texts.
    public static func read(_ url: URL) throws -> (sidecar: FaissSidecar, texts: [String]) {
        let data = try TextLines.readFile(url)
        return try data.withUnsafeBytes { try read($0, path: url.path) }
    }

    /// Parses a sidecar held in memory; `path` names it in errors.
    public static func read(_ bytes: UnsafeRawBufferPointer, path: String) throws -> (sidecar: FaissSidecar, texts: [String]) {
        func fail(_ reason: String) -> SearchError { .invalidIndex(path: path, reason: reason) }
        guard bytes.count >= 16 else { throw fail("truncated: \(bytes.count) bytes, shorter than the 16-byte preamble") }
        guard bytes.prefix(8).elementsEqual(magic) else {
            throw fail("not a FAISS sidecar (bad magic; expected \"MBRTFAIS\", written by mirror-bert index --faiss)")
        }
        let version = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
        guard version == Self.version else { throw fail("unsupported sidecar version \(version) (this build reads \(Self.version))") }
        let length = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 12, as: UInt32.self)))
        guard length >= 1 && length <= IndexFile.maxHeaderSize else {
            throw fail("header length \(length) is out of range 1…\(IndexFile.maxHeaderSize)")
        }
        guard length <= bytes.count - 16 else {
            throw fail("truncated: header claims \(length) bytes but only \(bytes.count - 16) remain")
        }
        let value: JSONValue
        do { value = try JSONParser.parse(Data(bytes[16..<(16 + length)]), maxDepth: 8) } catch let e as JSONSyntaxError {
            throw fail("header is not valid JSON: \(e)")
        }
        guard case let .object(members) = value else { throw fail("header is not a JSON object") }
        let keys = Set(members.map(\.key))
        guard keys == ["index", "faiss"], members.count == 2 else {
            throw fail("header must have exactly the keys \"index\" and \"faiss\" (has \(members.map { "\"\($0.key.prefix(32))\"" }.joined(separator: ", ")))")
        }
        guard let indexValue = value["index"], let faissValue = value["faiss"] else { throw fail("header lacks \"index\" or \"faiss\"") }
        let header = try IndexHeader.parse(indexValue, fail: { fail("\"index\": " + $0) })
        let faiss: Faiss
        do {
            faiss = try JSONValueDecoder().decode(Faiss.self, from: faissValue)
        } catch let error as DecodingError {
            throw fail("\"faiss\" field \"\(error.jsonPath)\" is missing or has the wrong type: \(error.problem)")
        }
        guard !faiss.factory.isEmpty, faiss.factory.utf8.count <= 256 else { throw fail("faiss.factory must be 1…256 bytes") }
        guard !faiss.file.isEmpty, faiss.file.utf8.count <= 1024, !faiss.file.contains("/") else {
            throw fail("faiss.file must be a file name in the sidecar's folder")
        }
        guard faiss.bytes > 0 else { throw fail("faiss.bytes \(faiss.bytes) must be positive") }
        guard faiss.xxh64.utf8.count == 16, faiss.xxh64.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
            throw fail("faiss.xxh64 is not 16 lowercase hex digits")
        }
        guard header.count <= (bytes.count - 16 - length) / 4 else {
            throw fail("truncated: \(header.count) texts need at least \(4 * header.count) bytes but only \(bytes.count - 16 - length) remain")
        }
        let texts = try IndexFile.readTexts(bytes, from: 16 + length, count: header.count, fail: fail)
        return (FaissSidecar(header: header, factory: faiss.factory, file: faiss.file, bytes: faiss.bytes, xxh64: faiss.xxh64), texts)
    }
}
