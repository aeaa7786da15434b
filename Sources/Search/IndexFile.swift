// Reading and writing index files. Format, version 1; all integers little-endian:
//
//   offset 0   8 bytes   magic "MBRTINDX"
//          8   u32       version (1)
//         12   u32       header length L, 1 ≤ L ≤ 65536
//         16   L bytes   header: a UTF-8 JSON object with exactly the keys
//                        model_path (string), weights_xxh64, config_xxh64 (16 lowercase hex digits:
//                        XXH64 of the model's model.safetensors and config.json),
//                        pooling ("cls" | "mean" | "mean-masked"), max_length (2…2^20),
//                        dimension D (1…65536), count N (≥ 0), normalized (true)
//       16+L   zero bytes up to V = the next multiple of 64 (so the vectors are 64-byte aligned)
//          V   N·D float32: row i is the L2-normalized embedding of text i (each finite, norm 1 ± 1e-4)
//   V + 4·N·D  N texts in row order, each a u32 byte length n then n bytes of UTF-8 (no NUL)
//              and the file ends right after the last text.
//
// The reader checks every field before it allocates or reads from an offset, and each violation
// is its own error naming the file. Writes are atomic (AtomicFile).

import FileIO
import Foundation
import Kernels

public enum IndexFile {
    public static let magic: [UInt8] = Array("MBRTINDX".utf8)
    public static let version: UInt32 = 1
    static let preambleSize = 16
    static let maxHeaderSize = 65_536
    static let normTolerance: Float = 1e-4

    // MARK: - Writing

    /// Writes `header` (whose count and dimension must match), `vectors` (count × dimension) and
    /// `texts` to `url` atomically.
    public static func write(header: IndexHeader, vectors: UnsafeBufferPointer<Float>, texts: [String], to url: URL) throws {
        precondition(texts.count == header.count, "index header count must equal the number of texts")
        precondition(vectors.count == header.count * header.dimension, "index vectors must be count × dimension")
        let json = try header.json()
        precondition(json.count <= maxHeaderSize, "index header too long")
        var preamble = magic
        append(version, to: &preamble)
        append(UInt32(json.count), to: &preamble)
        preamble += json
        preamble += [UInt8](repeating: 0, count: aligned(preamble.count) - preamble.count)
        try AtomicFile.write(to: url) { fd, path in
            try preamble.withUnsafeBytes { try AtomicFile.writeAll(fd: fd, $0, path: path) }
            try AtomicFile.writeAllLittleEndian(fd: fd, vectors, path: path)
            try writeTexts(texts, fd: fd, path: path)
        }
    }

    /// The texts section: each text as a u32 byte length then its UTF-8 bytes.
    static func writeTexts(_ texts: [String], fd: Int32, path: String) throws {
        var chunk: [UInt8] = []
        for (i, text) in texts.enumerated() {
            append(UInt32(text.utf8.count), to: &chunk)
            chunk += text.utf8
            if chunk.count >= 1 << 20 || i == texts.count - 1 {
                try chunk.withUnsafeBytes { try AtomicFile.writeAll(fd: fd, $0, path: path) }
                chunk.removeAll(keepingCapacity: true)
            }
        }
    }

    // MARK: - Reading

    /// Reads and validates the whole index at `url`.
    public static func read(_ url: URL) throws -> (header: IndexHeader, vectors: FloatBuffer, texts: [String]) {
        let data = try TextLines.readFile(url)
        return try data.withUnsafeBytes { try read($0, path: url.path) }
    }

    /// Reads only the header of the index at `url` (still checking that the file is long enough).
    public static func readHeader(_ url: URL) throws -> IndexHeader {
        let data = try TextLines.readFile(url)
        return try data.withUnsafeBytes { try parsePreamble($0, path: url.path).header }
    }

    /// Parses an index held in memory; `path` names it in errors.
    public static func read(_ bytes: UnsafeRawBufferPointer, path: String) throws
        -> (header: IndexHeader, vectors: FloatBuffer, texts: [String])
    {
        func fail(_ reason: String) -> SearchError { .invalidIndex(path: path, reason: reason) }
        let (header, vectorOffset, vectorBytes) = try parsePreamble(bytes, path: path)
        let n = header.count, d = header.dimension
        let vectors = FloatBuffer(count: n * d)
        let raw = UnsafeRawBufferPointer(rebasing: bytes[vectorOffset..<(vectorOffset + vectorBytes)])
        if 1.littleEndian == 1 {
            UnsafeMutableRawBufferPointer(start: vectors.pointer, count: vectorBytes).copyMemory(from: raw)
        } else {
            for i in 0..<(n * d) {
                vectors.pointer[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
            }
        }
        for r in 0..<n {
            let row = vectors.pointer + r * d
            var s: Double = 0
            for j in 0..<d {
                guard row[j].isFinite else { throw fail("vector \(r) has a non-finite value at column \(j)") }
                s += Double(row[j]) * Double(row[j])
            }
            let norm = Float(s.squareRoot())
            guard abs(norm - 1) <= normTolerance else {
                throw fail("vector \(r) has norm \(norm), not 1 (the vectors are corrupt)")
            }
        }
        let texts = try readTexts(bytes, from: vectorOffset + vectorBytes, count: n, fail: fail)
        return (header, vectors, texts)
    }

    /// The texts section (see writeTexts) from `start` to the end of `bytes`: exactly `n` texts,
    /// each valid UTF-8 without NUL, and nothing after the last. `n` must already be bounded by
    /// the bytes left (≥ 4 per text), as parsePreamble checks.
    static func readTexts(_ bytes: UnsafeRawBufferPointer, from start: Int, count n: Int,
                          fail: (String) -> SearchError) throws -> [String] {
        var offset = start
        var texts: [String] = []
        texts.reserveCapacity(n)
        for i in 0..<n {
            guard bytes.count - offset >= 4 else {
                throw fail("truncated: text \(i) of \(n) is missing (file ends at byte \(bytes.count))")
            }
            let length = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
            offset += 4
            guard length <= bytes.count - offset else {
                throw fail("truncated: text \(i) claims \(length) bytes but only \(bytes.count - offset) remain")
            }
            let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + length)])
            guard !slice.contains(0) else { throw fail("text \(i) contains a NUL byte") }
            let text = String(decoding: slice, as: UTF8.self)
            guard text.utf8.elementsEqual(slice) else { throw fail("text \(i) is not valid UTF-8") }
            texts.append(text)
            offset += length
        }
        guard offset == bytes.count else {
            throw fail("\(bytes.count - offset) unexpected bytes after the last text (at byte \(offset))")
        }
        return texts
    }

    /// Validates magic, version, header and the size of the vector block; returns the header, the
    /// vectors' byte offset and their byte count.
    static func parsePreamble(_ bytes: UnsafeRawBufferPointer, path: String) throws
        -> (header: IndexHeader, vectorOffset: Int, vectorBytes: Int)
    {
        func fail(_ reason: String) -> SearchError { .invalidIndex(path: path, reason: reason) }
        guard bytes.count >= preambleSize else {
            if bytes.count >= 8 && !bytes.prefix(8).elementsEqual(magic) { throw fail("not an index file (bad magic)") }
            throw fail("truncated: \(bytes.count) bytes, shorter than the \(preambleSize)-byte preamble")
        }
        guard bytes.prefix(8).elementsEqual(magic) else {
            throw fail("not an index file (bad magic; expected \"MBRTINDX\", made by mirror-bert index)")
        }
        let version = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
        guard version == IndexFile.version else {
            throw fail("unsupported version \(version) (this build reads version \(IndexFile.version))")
        }
        let headerSize = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 12, as: UInt32.self)))
        guard headerSize >= 1 && headerSize <= maxHeaderSize else {
            throw fail("header length \(headerSize) is out of range 1…\(maxHeaderSize)")
        }
        guard headerSize <= bytes.count - preambleSize else {
            throw fail("truncated: header claims \(headerSize) bytes but only \(bytes.count - preambleSize) remain")
        }
        let headerData = Data(bytes[preambleSize..<(preambleSize + headerSize)])
        let header = try IndexHeader.parse(headerData, fail: fail)
        let vectorOffset = aligned(preambleSize + headerSize)
        guard vectorOffset <= bytes.count else {
            throw fail("truncated: the file ends inside the header padding (\(bytes.count) bytes)")
        }
        guard bytes[(preambleSize + headerSize)..<vectorOffset].allSatisfy({ $0 == 0 }) else {
            throw fail("non-zero bytes in the header padding")
        }
        let (elements, o1) = header.count.multipliedReportingOverflow(by: header.dimension)
        let (vectorBytes, o2) = elements.multipliedReportingOverflow(by: 4)
        guard !o1 && !o2 && vectorBytes <= bytes.count - vectorOffset else {
            throw fail("truncated: \(header.count) vectors of dimension \(header.dimension) need \(o1 || o2 ? "more" : "\(vectorBytes)") bytes "
                       + "but only \(bytes.count - vectorOffset) remain")
        }
        // Every text needs at least its 4-byte length: bounds count before the texts array is reserved.
        guard header.count <= (bytes.count - vectorOffset - vectorBytes) / 4 else {
            throw fail("truncated: \(header.count) texts need at least \(4 * header.count) bytes but only "
                       + "\(bytes.count - vectorOffset - vectorBytes) remain")
        }
        return (header, vectorOffset, vectorBytes)
    }

    static func aligned(_ n: Int) -> Int { (n + 63) / 64 * 64 }

    static func append(_ v: UInt32, to bytes: inout [UInt8]) {
        for s in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: v >> UInt32(s))) }
    }
}
