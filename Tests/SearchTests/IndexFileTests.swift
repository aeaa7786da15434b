// Index files: round trip, append, and a clear error for every kind of corrupt or truncated file.

import Foundation
@testable import Search
import Testing
import TestSupport

struct IndexFileTests {
    let d = 6
    var texts: [String] { ["a man plays a guitar", "", "Ünïcödé — 中文 😀", "tab\tand \"quotes\"", "x"] }

    func sample(count: Int? = nil) -> EmbeddingIndex {
        let n = count ?? texts.count
        return EmbeddingIndex(header: IndexHeader(model: identityA, pooling: .cls, maxLength: 32, dimension: d, count: n),
                              vectors: randomUnitVectors(rows: n, dimension: d, seed: 5), texts: Array(texts.prefix(n)))
    }

    func expectSame(_ a: EmbeddingIndex, _ b: EmbeddingIndex) {
        #expect(a.header == b.header)
        #expect(a.vectors.array == b.vectors.array)
        #expect(a.texts == b.texts)
    }

    @Test func roundTripAndAppend() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        let url = tmp.file("corpus.mbi")
        let original = sample()
        try original.write(to: url)
        let read = try EmbeddingIndex.read(url)
        expectSame(read, original)
        #expect(try IndexFile.readHeader(url) == original.header)

        let more = randomUnitVectors(rows: 2, dimension: d, seed: 6)
        let appended = more.withUnsafeBufferPointer { read.appending($0, texts: ["new one", "new two"]) }
        try appended.write(to: url)
        let reread = try EmbeddingIndex.read(url)
        expectSame(reread, appended)
        #expect(reread.count == 7)
        #expect(reread.texts.suffix(2) == ["new one", "new two"])
        #expect(Array(reread.vectors.array.prefix(5 * d)) == original.vectors.array)
        #expect(Array(reread.vectors.array.suffix(2 * d)) == more)
    }

    @Test func emptyIndexRoundTrips() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        let url = tmp.file("empty.mbi")
        try sample(count: 0).write(to: url)
        expectSame(try EmbeddingIndex.read(url), sample(count: 0))
    }

    @Test func layoutIsAsDocumented() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        let url = tmp.file("x.mbi")
        try sample().write(to: url)
        let bytes = [UInt8](try Data(contentsOf: url))
        #expect(Array(bytes[0..<8]) == Array("MBRTINDX".utf8))
        #expect(Array(bytes[8..<12]) == [1, 0, 0, 0])
        let headerLength = Int(bytes[12]) | Int(bytes[13]) << 8 | Int(bytes[14]) << 16 | Int(bytes[15]) << 24
        let json = try JSONSerialization.jsonObject(with: Data(bytes[16..<(16 + headerLength)])) as! [String: Any]
        #expect(json["pooling"] as? String == "cls")
        #expect(json["count"] as? Int == 5 && json["dimension"] as? Int == d)
        let vectorStart = (16 + headerLength + 63) / 64 * 64
        let textStart = vectorStart + 4 * 5 * d
        #expect(Array(bytes[textStart..<(textStart + 4)]) == [20, 0, 0, 0])  // "a man plays a guitar"
        let textBytes = texts.reduce(0) { $0 + 4 + $1.utf8.count }
        #expect(bytes.count == textStart + textBytes)
    }

    // MARK: - Corrupt files

    /// The bytes of a valid sample index, its header length and where vectors and texts start.
    func validBytes() throws -> (bytes: [UInt8], headerLength: Int, vectors: Int, texts: Int) {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        let url = tmp.file("v.mbi")
        try sample().write(to: url)
        let bytes = [UInt8](try Data(contentsOf: url))
        let headerLength = Int(bytes[12]) | Int(bytes[13]) << 8
        let vectors = (16 + headerLength + 63) / 64 * 64
        return (bytes, headerLength, vectors, vectors + 4 * 5 * d)
    }

    func expectRefused(_ bytes: [UInt8], _ reasonPart: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try bytes.withUnsafeBytes { try IndexFile.read($0, path: "bad.mbi") }
            Issue.record("accepted a corrupt index (expected \"\(reasonPart)\")", sourceLocation: sourceLocation)
        } catch let SearchError.invalidIndex(path, reason) {
            #expect(path == "bad.mbi", sourceLocation: sourceLocation)
            #expect(reasonPart.isEmpty || reason.contains(reasonPart), "reason: \(reason)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }

    /// `bytes` with the header replaced by `json` (vectors and texts re-aligned after it).
    func withHeader(_ json: String, from v: (bytes: [UInt8], headerLength: Int, vectors: Int, texts: Int)) -> [UInt8] {
        var out = Array(v.bytes[0..<12])
        let h = Array(json.utf8)
        IndexFile.append(UInt32(h.count), to: &out)
        out += h
        out += [UInt8](repeating: 0, count: IndexFile.aligned(out.count) - out.count)
        return out + v.bytes[v.vectors...]
    }

    @Test func everyTruncationIsRefused() throws {
        let v = try validBytes()
        for length in 0..<v.bytes.count {
            do {
                _ = try Array(v.bytes[0..<length]).withUnsafeBytes { try IndexFile.read($0, path: "cut.mbi") }
                Issue.record("accepted the first \(length) of \(v.bytes.count) bytes")
            } catch let SearchError.invalidIndex(path, reason) {
                #expect(path == "cut.mbi")
                #expect(reason.contains("truncated"), "\(length): \(reason)")
            }
        }
    }

    @Test func corruptPreambleAndHeaderAreRefused() throws {
        let v = try validBytes()
        var b = v.bytes; b[0] = UInt8(ascii: "X")
        expectRefused(b, "bad magic")
        b = v.bytes; b[8] = 2
        expectRefused(b, "unsupported version 2")
        b = v.bytes; b[12] = 0; b[13] = 0
        expectRefused(b, "header length 0")
        b = v.bytes; b[14] = 0x10
        expectRefused(b, "header length")
        b = v.bytes; b[16] = UInt8(ascii: "[")
        expectRefused(b, "not a JSON object")
        b = v.bytes; b[16 + v.headerLength] = 1
        expectRefused(b, "non-zero bytes in the header padding")

        let good = String(decoding: v.bytes[16..<(16 + v.headerLength)], as: UTF8.self)
        expectRefused(withHeader(good.replacingOccurrences(of: ",\"normalized\":true", with: ""), from: v), "lacks \"normalized\"")
        expectRefused(withHeader(good.replacingOccurrences(of: "}", with: ",\"extra\":1}"), from: v), "unknown key \"extra\"")
        expectRefused(withHeader(good.replacingOccurrences(of: "\"dimension\":6", with: "\"dimension\":\"6\""), from: v),
                      "\"dimension\" has the wrong type")
        expectRefused(withHeader(good.replacingOccurrences(of: "\"dimension\":6", with: "\"dimension\":0"), from: v),
                      "dimension 0 is out of range")
        expectRefused(withHeader(good.replacingOccurrences(of: "\"pooling\":\"cls\"", with: "\"pooling\":\"max\""), from: v),
                      "unknown pooling \"max\"")
        expectRefused(withHeader(good.replacingOccurrences(of: "\"normalized\":true", with: "\"normalized\":false"), from: v),
                      "normalized is false")
        expectRefused(withHeader(good.replacingOccurrences(of: "\"weights_xxh64\":\"a", with: "\"weights_xxh64\":\"A"), from: v),
                      "weights_xxh64 is not 16 lowercase hex")
        expectRefused(withHeader(good.replacingOccurrences(of: "\"count\":5", with: "\"count\":-1"), from: v), "count -1 is negative")
        // Sizes that would need huge allocations are refused before anything is allocated.
        expectRefused(withHeader(good.replacingOccurrences(of: "\"count\":5", with: "\"count\":1000000000000"), from: v),
                      "truncated: 1000000000000 vectors")
        expectRefused(withHeader(good.replacingOccurrences(of: "\"count\":5", with: "\"count\":4611686018427387904"), from: v),
                      "need more bytes")
        // One row more than written: the vector block swallows the first texts (refused as vectors or texts).
        expectRefused(withHeader(good.replacingOccurrences(of: "\"count\":5", with: "\"count\":6"), from: v), "")
    }

    @Test func corruptVectorsAndTextsAreRefused() throws {
        let v = try validBytes()
        func setFloat(_ b: inout [UInt8], _ i: Int, _ x: Float) {
            withUnsafeBytes(of: x.bitPattern.littleEndian) { for k in 0..<4 { b[v.vectors + 4 * i + k] = $0[k] } }
        }
        var b = v.bytes; setFloat(&b, d + 2, .nan)
        expectRefused(b, "vector 1 has a non-finite value at column 2")
        b = v.bytes; setFloat(&b, 3 * d, 2)
        expectRefused(b, "vector 3 has norm")
        b = v.bytes; b[v.texts] = 0xFF; b[v.texts + 1] = 0xFF
        expectRefused(b, "text 0 claims 65535 bytes")
        b = v.bytes; b[v.texts + 4] = 0xC3; b[v.texts + 5] = 0x28
        expectRefused(b, "text 0 is not valid UTF-8")
        b = v.bytes; b[v.texts + 4] = 0
        expectRefused(b, "text 0 contains a NUL byte")
        expectRefused(v.bytes + [0], "1 unexpected bytes after the last text")
    }

    @Test func missingFileIsAnErrorNamingIt() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        let url = tmp.file("absent.mbi")
        #expect(throws: (any Error).self) { try EmbeddingIndex.read(url) }
        do { _ = try EmbeddingIndex.read(url) } catch { #expect("\(error)".contains(url.path)) }
    }
}
