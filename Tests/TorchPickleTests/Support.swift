// Shared helpers: fixture locations, the error an archive is refused with, a minimal ZIP writer
// (stored entries) and pickle opcodes for archives assembled inside a test.

import Foundation
import Testing
import TestSupport
@testable import TorchPickle

enum Fixture {
    static func url(_ name: String) -> URL { TestPaths.fixture("torchpickle/" + name) }
    static func bytes(_ name: String) throws -> Data { try Data(contentsOf: url(name)) }
}

/// The TorchPickleError reading `data` throws, or nil if it reads.
func rejection(_ data: Data, verifyChecksums: Bool = true, sourceLocation: SourceLocation = #_sourceLocation) -> TorchPickleError? {
    do {
        _ = try TorchCheckpoint(data: data, path: "t.bin", verifyChecksums: verifyChecksums)
        return nil
    } catch let e as TorchPickleError {
        return e
    } catch {
        Issue.record("unexpected error type: \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// The name of an error's enum case ("forbiddenGlobal"), for matching without every field.
func caseName(_ e: TorchPickleError?) -> String? {
    guard let e else { return nil }
    return Mirror(reflecting: e).children.first?.label ?? "\(e)"
}

// MARK: - ZIP writing

private func u16(_ v: Int, _ a: inout [UInt8]) { a += [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
private func u32(_ v: UInt32, _ a: inout [UInt8]) { for i in 0..<4 { a.append(UInt8(v >> (8 * UInt32(i)) & 0xFF)) } }

/// A ZIP archive of stored entries in torch's order (without its 64-byte alignment, which a reader
/// must not rely on). `crc: false` writes CRC 0 ("not computed").
func zipArchive(_ entries: [(String, [UInt8])], crc: Bool = true) -> Data {
    var out: [UInt8] = []
    var central: [UInt8] = []
    for (name, data) in entries {
        let n = Array(name.utf8)
        let c = crc ? data.withUnsafeBytes { CRC32.checksum($0) } : 0
        let offset = UInt32(out.count)
        u32(0x0403_4B50, &out); u16(20, &out); u16(0, &out); u16(0, &out); u16(0, &out); u16(0, &out)
        u32(c, &out); u32(UInt32(data.count), &out); u32(UInt32(data.count), &out); u16(n.count, &out); u16(0, &out)
        out += n + data
        u32(0x0201_4B50, &central); u16(20, &central); u16(20, &central); u16(0, &central); u16(0, &central)
        u16(0, &central); u16(0, &central); u32(c, &central); u32(UInt32(data.count), &central)
        u32(UInt32(data.count), &central); u16(n.count, &central); u16(0, &central); u16(0, &central)
        u16(0, &central); u16(0, &central); u32(0, &central); u32(offset, &central)
        central += n
    }
    let cdOffset = UInt32(out.count)
    out += central
    u32(0x0605_4B50, &out); u16(0, &out); u16(0, &out); u16(entries.count, &out); u16(entries.count, &out)
    u32(UInt32(central.count), &out); u32(cdOffset, &out); u16(0, &out)
    return Data(out)
}

/// A torch-style archive holding `pickle` as archive/data.pkl and the given storages.
func torchArchive(_ pickle: [UInt8], storages: [(String, [UInt8])] = [], crc: Bool = true) -> Data {
    zipArchive([("archive/data.pkl", pickle), ("archive/byteorder", Array("little".utf8))]
               + storages.map { ("archive/data/\($0.0)", $0.1) }, crc: crc)
}

func f32Bytes(_ values: [Float]) -> [UInt8] { values.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) } }

// MARK: - Pickle opcodes (protocol 2)

enum P {
    static func str(_ s: String) -> [UInt8] {
        let b = Array(s.utf8)
        return [0x58] + withUnsafeBytes(of: UInt32(b.count).littleEndian, Array.init) + b
    }
    static func int(_ i: Int) -> [UInt8] {
        if (0..<256).contains(i) { return [0x4B, UInt8(i)] }
        return [0x4A] + withUnsafeBytes(of: Int32(i).littleEndian, Array.init)
    }
    static func global(_ module: String, _ name: String) -> [UInt8] { [0x63] + Array("\(module)\n\(name)\n".utf8) }
    static func tuple(_ items: [UInt8]...) -> [UInt8] { [0x28] + items.flatMap { $0 } + [0x74] }
    static func ints(_ values: [Int]) -> [UInt8] { [0x28] + values.flatMap(int) + [0x74] }
    static func storage(_ type: String, _ key: String, _ numel: Int) -> [UInt8] {
        tuple(str("storage"), global("torch", type), str(key), str("cpu"), int(numel)) + [0x51]
    }
    /// _rebuild_tensor_v2(storage, offset, size, stride, False, {}).
    static func tensor(_ storage: [UInt8], offset: Int, size: [Int], stride: [Int]) -> [UInt8] {
        global("torch._utils", "_rebuild_tensor_v2")
            + tuple(storage, int(offset), ints(size), ints(stride), [0x89], [0x7D]) + [0x52]
    }
    /// {name: value, …} then STOP.
    static func stateDict(_ entries: [(String, [UInt8])]) -> [UInt8] {
        [0x80, 0x02, 0x7D, 0x28] + entries.flatMap { str($0.0) + $0.1 } + [0x75, 0x2E]
    }
}
