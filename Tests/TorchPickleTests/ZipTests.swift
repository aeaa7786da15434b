// The ZIP container: ZIP64 and CRC-less archives read; truncated, garbled or unsupported archives
// are refused with their own errors and never crash.

import Foundation
import Testing
@testable import TorchPickle

/// Offset of the last occurrence of a little-endian u32 signature.
private func lastSignature(_ sig: UInt32, in d: [UInt8]) -> Int? {
    let s = withUnsafeBytes(of: sig.littleEndian, Array.init)
    return stride(from: d.count - 4, through: 0, by: -1).first { Array(d[$0..<($0 + 4)]) == s }
}

private func putU32(_ v: UInt32, at o: Int, in d: inout [UInt8]) {
    for i in 0..<4 { d[o + i] = UInt8(v >> (8 * UInt32(i)) & 0xFF) }
}

@Suite struct ZipTests {
    let good: [UInt8]
    init() throws { good = Array(try Fixture.bytes("dtypes.bin")) }

    /// Offset of the central directory entry named `name`.
    func centralEntry(_ name: String, in d: [UInt8]) -> Int {
        let needle = Array(name.utf8)
        var p = 0
        while p + 46 + needle.count <= d.count {
            if d[p] == 0x50, d[p + 1] == 0x4B, d[p + 2] == 1, d[p + 3] == 2,
               Array(d[(p + 46)..<(p + 46 + needle.count)]) == needle { return p }
            p += 1
        }
        return -1
    }

    @Test func everyTruncationIsRefused() {
        for cut in stride(from: 0, to: good.count, by: 7) {
            let e = rejection(Data(good[0..<cut]))
            #expect(e != nil, "cut at \(cut) was accepted")
        }
        #expect(caseName(rejection(Data(good.dropLast(1)))) == "notAZipArchive")
        #expect(caseName(rejection(Data())) == "notAZipArchive")
        #expect(caseName(rejection(Data("hello, world".utf8))) == "notAZipArchive")
    }

    @Test func garbledBytesNeverCrash() {
        // Seeded bit flips anywhere: each is refused with a TorchPickleError or (in padding, say) read.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33)
        }
        var refused = 0
        for _ in 0..<400 {
            var d = good
            for _ in 0..<(1 + next() % 3) { d[next() % d.count] ^= UInt8(1 << (next() % 8)) }
            if rejection(Data(d)) != nil { refused += 1 }
        }
        #expect(refused > 200, "most flips hit checked bytes (\(refused) of 400 refused)")
    }

    @Test func flippedStorageByteFailsTheChecksum() throws {
        let c = try TorchCheckpoint(data: Data(good))
        var d = good
        // The first storage record's data: find "data/0" in a local header, skip its header.
        let name = Array("dtypes/data/0".utf8)
        let local = (0..<(d.count - name.count)).first { Array(d[($0 + 30)..<($0 + 30 + name.count)]) == name && d[$0] == 0x50 }!
        let extra = Int(d[local + 28]) | Int(d[local + 29]) << 8
        let data = local + 30 + name.count + extra
        d[data] ^= 0x40
        #expect(caseName(rejection(Data(d))) == "zipChecksumMismatch")
        let unchecked = try TorchCheckpoint(data: Data(d), verifyChecksums: false)
        #expect(try unchecked.floats("f32") != c.floats("f32"))
    }

    @Test func structuralDamageHasItsOwnError() throws {
        // torch (miniz) always writes the ZIP64 end records; the central directory is found there.
        let z64 = try #require(lastSignature(0x0606_4B50, in: good))
        let locator = try #require(lastSignature(0x0706_4B50, in: good))
        var d = good
        putU32(UInt32(good.count), at: z64 + 48, in: &d)  // central directory offset past the end
        #expect(caseName(rejection(Data(d))) == "zipOutOfBounds")

        d = good
        let cd = Int(d[z64 + 48]) | Int(d[z64 + 49]) << 8 | Int(d[z64 + 50]) << 16 | Int(d[z64 + 51]) << 24
        d[cd] = 0
        #expect(caseName(rejection(Data(d))) == "zipBadSignature")

        d = good
        d[z64 + 16] = 1  // disk number
        #expect(caseName(rejection(Data(d))) == "zipMultiDisk")

        d = good
        putU32(0, at: locator + 8, in: &d)  // locator points at the first local header
        #expect(caseName(rejection(Data(d))) == "zipBadSignature")

        d = good
        let pkl = centralEntry("dtypes/data.pkl", in: d)
        d[pkl + 10] = 8  // method: deflate
        #expect(caseName(rejection(Data(d))) == "zipCompressedEntry")

        d = good
        d[pkl + 8] |= 1  // encrypted
        #expect(caseName(rejection(Data(d))) == "zipEncryptedEntry")

        d = good
        d[0] = 0  // the local header of data.pkl (at 0) loses its signature
        #expect(caseName(rejection(Data(d))) == "zipBadSignature")

        d = good
        putU32(UInt32(good.count), at: pkl + 24, in: &d)  // size past the central directory
        putU32(UInt32(good.count), at: pkl + 20, in: &d)
        #expect(caseName(rejection(Data(d))) == "zipOutOfBounds")

        d = good
        d[pkl + 46] = UInt8(ascii: "x")  // central name differs from the local header's
        #expect(caseName(rejection(Data(d))) == "zipNameMismatch")

        d = good
        d[pkl + 47] = 0xFF  // central name not UTF-8
        #expect(caseName(rejection(Data(d))) == "zipNameNotUTF8")
    }

    @Test func archivesWithoutZip64Records() throws {
        let plain = Array(zipArchive([("a/data.pkl", P.stateDict([]))]))
        #expect(rejection(Data(plain)) == nil)
        let eocd = try #require(lastSignature(0x0605_4B50, in: plain))
        var d = plain
        putU32(UInt32(plain.count), at: eocd + 16, in: &d)
        #expect(caseName(rejection(Data(d))) == "zipOutOfBounds")
        d = plain
        d[eocd + 4] = 1
        #expect(caseName(rejection(Data(d))) == "zipMultiDisk")
        d = plain
        d[eocd + 10] = 0xFF; d[eocd + 11] = 0xFF  // announces ZIP64 without its records
        #expect(caseName(rejection(Data(d))) == "zipBadSignature")
        d = plain
        d[eocd + 10] = 200; d[eocd + 8] = 200  // more entries than the central directory can hold
        #expect(caseName(rejection(Data(d))) == "zipOutOfBounds")
    }

    @Test func duplicateAndMissingEntries() {
        let pkl = P.stateDict([])
        #expect(caseName(rejection(zipArchive([("a/data.pkl", pkl), ("a/data.pkl", pkl)]))) == "zipDuplicateEntry")
        #expect(caseName(rejection(zipArchive([("a/data.pkl", pkl), ("b/data.pkl", pkl)]))) == "missingPickle")
        #expect(caseName(rejection(zipArchive([("data.pkl", pkl)]))) == "missingPickle")
        #expect(caseName(rejection(zipArchive([("a/b/data.pkl", pkl)]))) == "missingPickle")
        #expect(rejection(zipArchive([("whatever/data.pkl", pkl)])) == nil, "any folder name, no byteorder record")
        #expect(caseName(rejection(zipArchive([("a/data.pkl", pkl), ("a/byteorder", Array("middle".utf8))]))) == "unknownByteOrder")
    }

    @Test func zip64AndCRCLessArchivesRead() throws {
        #expect(try TorchCheckpoint(url: Fixture.url("zip64.bin")).tensors.map(\.name) == ["a", "b"])
        #expect(try TorchCheckpoint(url: Fixture.url("no_crc.bin")).tensors.count == 2)
        // A stored entry whose CRC is recorded as 0 is taken as "not computed".
        let six = f32Bytes([1, 2, 3, 4, 5, 6])
        let t = P.tensor(P.storage("FloatStorage", "0", 6), offset: 0, size: [6], stride: [1])
        #expect(rejection(torchArchive(P.stateDict([("w", t)]), storages: [("0", six)], crc: false)) == nil)
    }

    @Test func crc32MatchesKnownValues() {
        #expect(Array("123456789".utf8).withUnsafeBytes { CRC32.checksum($0) } == 0xCBF4_3926)
        #expect([UInt8]().withUnsafeBytes { CRC32.checksum($0) } == 0)
        let long = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        // Slice-by-8 agrees with the bytewise definition at every length and alignment.
        func bytewise(_ b: ArraySlice<UInt8>) -> UInt32 {
            var c: UInt32 = 0xFFFF_FFFF
            for x in b { c ^= UInt32(x); for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 } }
            return c ^ 0xFFFF_FFFF
        }
        for (start, end) in [(0, 1000), (3, 997), (1, 9), (5, 12)] {
            let s = long[start..<end]
            #expect(s.withUnsafeBytes { CRC32.checksum($0) } == bytewise(s))
        }
    }
}
