// The subset of ZIP (PKWARE APPNOTE 6.3) that torch.save writes, read from the central directory:
//
//   [local header 1][data 1] … [local header n][data n] [central directory] [ZIP64 end record]
//   [ZIP64 end locator] [end of central directory]
//
//   end of central directory (EOCD), 22 bytes + comment, found by scanning back from the end:
//     u32 0x06054b50, u16 disk, u16 disk of CD, u16 entries on disk, u16 entries, u32 CD size,
//     u32 CD offset, u16 comment length. A field of all ones means "see the ZIP64 end record".
//   ZIP64 end locator, 20 bytes right before the EOCD: u32 0x07064b50, u32 disk, u64 offset of the
//     ZIP64 end record, u32 disk count.
//   ZIP64 end record: u32 0x06064b50, u64 size, u16 ×2 versions, u32 ×2 disks, u64 entries on disk,
//     u64 entries, u64 CD size, u64 CD offset.
//   central directory entry, 46 bytes + name + extra + comment: u32 0x02014b50, u16 ×2 versions,
//     u16 flags, u16 method, u16 ×2 time/date, u32 crc, u32 compressed size, u32 size, u16 name
//     length, u16 extra length, u16 comment length, u16 disk, u16 + u32 attributes, u32 offset of
//     the local header. Extra field 0x0001 (ZIP64) holds, in order and only for the 32-bit fields
//     that are all ones: u64 size, u64 compressed size, u64 local header offset, u32 disk.
//   local header, 30 bytes + name + extra: u32 0x04034b50, … u16 name length @26, u16 extra length
//     @28; the data follows. torch (miniz) sets flag 3 (sizes in a data descriptor after the
//     data, zeros in the local header) and pads the extra field so data starts 64-byte aligned, so
//     sizes and CRCs are taken from the central directory only.
//
// Supported: stored entries (method 0), ZIP64. Refused, each with its own error: compressed
// entries (deflate or other; torch never writes them, and there is no inflate here), encryption,
// multi-disk archives, duplicate names, anything outside the file. CRC-32s are checked by the
// caller (`ZipArchive.verify`); a CRC of 0 means "not computed" (torch's set_crc32_options(False)).

/// One stored entry: its name and where its bytes are in the file.
struct ZipEntry {
    let name: String
    let data: Range<Int>
    let crc32: UInt32
}

struct ZipArchive {
    let entries: [ZipEntry]
    private let index: [String: Int]

    func entry(_ name: String) -> ZipEntry? { index[name].map { entries[$0] } }

    init(file: UnsafeRawBufferPointer, path: String) throws {
        let r = Reader(bytes: file)
        let (cdOffset, cdSize, count) = try Self.locateCentralDirectory(r, path: path)
        guard cdOffset <= file.count, cdSize <= file.count - cdOffset else {
            throw TorchPickleError.zipOutOfBounds(path: path, what: "central directory")
        }
        // Each central entry takes at least 46 bytes: bounds the count before allocating.
        guard count <= cdSize / 46 else { throw TorchPickleError.zipOutOfBounds(path: path, what: "central directory") }
        var entries: [ZipEntry] = []
        entries.reserveCapacity(count)
        var index: [String: Int] = [:]
        var p = cdOffset
        let cdEnd = cdOffset + cdSize
        for _ in 0..<count {
            guard p + 46 <= cdEnd else { throw TorchPickleError.zipOutOfBounds(path: path, what: "central directory entry") }
            guard r.u32(p) == 0x0201_4B50 else {
                throw TorchPickleError.zipBadSignature(path: path, what: "central directory entry", offset: p)
            }
            let flags = r.u16(p + 8), method = Int(r.u16(p + 10))
            let crc = r.u32(p + 16)
            var compressed = UInt64(r.u32(p + 20)), size = UInt64(r.u32(p + 24))
            let nameLength = Int(r.u16(p + 28)), extraLength = Int(r.u16(p + 30)), commentLength = Int(r.u16(p + 32))
            let disk = r.u16(p + 34)
            var localOffset = UInt64(r.u32(p + 42))
            let nameStart = p + 46
            guard nameStart + nameLength + extraLength + commentLength <= cdEnd else {
                throw TorchPickleError.zipOutOfBounds(path: path, what: "central directory entry")
            }
            guard let name = r.utf8(nameStart, nameLength) else {
                throw TorchPickleError.zipNameNotUTF8(path: path, offset: nameStart)
            }
            // ZIP64 extra field: the values whose 32-bit fields are all ones, in a fixed order.
            if size == 0xFFFF_FFFF || compressed == 0xFFFF_FFFF || localOffset == 0xFFFF_FFFF {
                var fields = try Self.zip64Extra(r, from: nameStart + nameLength, length: extraLength, entry: name, path: path)
                func take(_ field: String) throws -> UInt64 {
                    guard !fields.isEmpty else {
                        throw TorchPickleError.zipMissingZip64Field(path: path, entry: name, field: field)
                    }
                    return fields.removeFirst()
                }
                if size == 0xFFFF_FFFF { size = try take("size") }
                if compressed == 0xFFFF_FFFF { compressed = try take("compressed size") }
                if localOffset == 0xFFFF_FFFF { localOffset = try take("local header offset") }
            }
            guard disk == 0 || disk == 0xFFFF else { throw TorchPickleError.zipMultiDisk(path: path) }
            guard flags & 1 == 0 else { throw TorchPickleError.zipEncryptedEntry(path: path, entry: name) }
            guard method == 0 else { throw TorchPickleError.zipCompressedEntry(path: path, entry: name, method: method) }
            guard compressed == size else {
                throw TorchPickleError.zipOutOfBounds(path: path, what: "entry \"\(name)\" (stored sizes disagree)")
            }
            let data = try Self.dataRange(r, localOffset: localOffset, size: size, name: name, limit: cdOffset, path: path)
            guard index[name] == nil else { throw TorchPickleError.zipDuplicateEntry(path: path, entry: name) }
            index[name] = entries.count
            entries.append(ZipEntry(name: name, data: data, crc32: crc))
            p = nameStart + nameLength + extraLength + commentLength
        }
        self.entries = entries
        self.index = index
    }

    /// Checks the entry's CRC-32 (skipped when 0: torch writes 0 when CRCs are turned off).
    static func verify(_ entry: ZipEntry, file: UnsafeRawBufferPointer, path: String) throws {
        guard entry.crc32 != 0 else { return }
        let actual = CRC32.checksum(UnsafeRawBufferPointer(rebasing: file[entry.data]))
        guard actual == entry.crc32 else {
            throw TorchPickleError.zipChecksumMismatch(path: path, entry: entry.name, expected: entry.crc32, actual: actual)
        }
    }

    // MARK: - Records

    /// (central directory offset, size, entry count) from the EOCD and, if announced, ZIP64 records.
    private static func locateCentralDirectory(_ r: Reader, path: String) throws -> (Int, Int, Int) {
        let n = r.bytes.count
        guard n >= 22 else { throw TorchPickleError.notAZipArchive(path: path) }
        // The EOCD is the last record; its comment (≤ 65535 bytes) must end exactly at the end of the file.
        var eocd = -1
        var p = n - 22
        let lowest = max(0, n - 22 - 65535)
        while p >= lowest {
            if r.u32(p) == 0x0605_4B50 && p + 22 + Int(r.u16(p + 20)) == n { eocd = p; break }
            p -= 1
        }
        guard eocd >= 0 else { throw TorchPickleError.notAZipArchive(path: path) }
        let disk = r.u16(eocd + 4), cdDisk = r.u16(eocd + 6)
        let onDisk = r.u16(eocd + 8), total = r.u16(eocd + 10)
        let cdSize = r.u32(eocd + 12), cdOffset = r.u32(eocd + 16)
        let needsZip64 = total == 0xFFFF || onDisk == 0xFFFF || cdSize == 0xFFFF_FFFF || cdOffset == 0xFFFF_FFFF
        let locator = eocd - 20
        if locator >= 0 && r.u32(locator) == 0x0706_4B50 {
            guard r.u32(locator + 4) == 0, r.u32(locator + 16) <= 1 else { throw TorchPickleError.zipMultiDisk(path: path) }
            let recordOffset = r.u64(locator + 8)
            guard recordOffset <= UInt64(locator), UInt64(locator) - recordOffset >= 56 else {
                throw TorchPickleError.zipOutOfBounds(path: path, what: "ZIP64 end of central directory record")
            }
            let z = Int(recordOffset)
            guard r.u32(z) == 0x0606_4B50 else {
                throw TorchPickleError.zipBadSignature(path: path, what: "ZIP64 end of central directory", offset: z)
            }
            guard r.u32(z + 16) == 0, r.u32(z + 20) == 0, r.u64(z + 24) == r.u64(z + 32) else {
                throw TorchPickleError.zipMultiDisk(path: path)
            }
            let entries = r.u64(z + 32), size = r.u64(z + 40), offset = r.u64(z + 48)
            guard entries <= UInt64(n), size <= UInt64(n), offset <= UInt64(n) else {
                throw TorchPickleError.zipOutOfBounds(path: path, what: "central directory")
            }
            return (Int(offset), Int(size), Int(entries))
        }
        guard !needsZip64 else {
            throw TorchPickleError.zipBadSignature(path: path, what: "ZIP64 end of central directory locator", offset: max(locator, 0))
        }
        guard disk == 0, cdDisk == 0, onDisk == total else { throw TorchPickleError.zipMultiDisk(path: path) }
        return (Int(cdOffset), Int(cdSize), Int(total))
    }

    /// The u64 values of the ZIP64 extra field (id 0x0001) among the extra fields at `from`.
    private static func zip64Extra(_ r: Reader, from: Int, length: Int, entry: String, path: String) throws -> [UInt64] {
        var p = from
        let end = from + length
        while p + 4 <= end {
            let id = r.u16(p), size = Int(r.u16(p + 2))
            guard p + 4 + size <= end else { break }
            if id == 0x0001 {
                return stride(from: p + 4, to: p + 4 + size - size % 8, by: 8).map { r.u64($0) }
            }
            p += 4 + size
        }
        throw TorchPickleError.zipMissingZip64Field(path: path, entry: entry, field: "extra field")
    }

    /// Where an entry's data lies: after its local header, and before the central directory.
    private static func dataRange(_ r: Reader, localOffset: UInt64, size: UInt64, name: String, limit: Int,
                                  path: String) throws -> Range<Int> {
        guard localOffset <= UInt64(limit), UInt64(limit) - localOffset >= 30 else {
            throw TorchPickleError.zipOutOfBounds(path: path, what: "local header of \"\(name)\"")
        }
        let h = Int(localOffset)
        guard r.u32(h) == 0x0403_4B50 else {
            throw TorchPickleError.zipBadSignature(path: path, what: "local header of \"\(name)\"", offset: h)
        }
        let nameLength = Int(r.u16(h + 26)), extraLength = Int(r.u16(h + 28))
        let start = h + 30 + nameLength + extraLength
        guard start <= limit, size <= UInt64(limit - start) else {
            throw TorchPickleError.zipOutOfBounds(path: path, what: "data of \"\(name)\"")
        }
        let local = r.utf8(h + 30, nameLength) ?? "<not UTF-8>"
        guard local == name else { throw TorchPickleError.zipNameMismatch(path: path, entry: name, local: local) }
        return start..<(start + Int(size))
    }
}

/// Little-endian loads; callers check bounds first.
private struct Reader {
    let bytes: UnsafeRawBufferPointer
    func u16(_ o: Int) -> UInt16 { UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: o, as: UInt16.self)) }
    func u32(_ o: Int) -> UInt32 { UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: o, as: UInt32.self)) }
    func u64(_ o: Int) -> UInt64 { UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: o, as: UInt64.self)) }
    func utf8(_ o: Int, _ n: Int) -> String? {
        String(validatingUTF8CodeUnits: UnsafeRawBufferPointer(rebasing: bytes[o..<(o + n)]))
    }
}

extension String {
    /// The bytes as a String if they are valid UTF-8, else nil.
    init?(validatingUTF8CodeUnits bytes: UnsafeRawBufferPointer) {
        var it = bytes.makeIterator()
        var out = ""
        var decoder = UTF8()
        loop: while true {
            switch decoder.decode(&it) {
            case .scalarValue(let s): out.unicodeScalars.append(s)
            case .emptyInput: break loop
            case .error: return nil
            }
        }
        self = out
    }
}
