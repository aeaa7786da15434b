// The pickle machine on damaged input: every prefix of a real data.pkl, and seeded byte flips in
// it, are refused (or, for harmless flips, read) without crashing. CRCs are off here so the
// damaged bytes reach the unpickler instead of failing the checksum.

import Foundation
import Testing
@testable import TorchPickle

/// data.pkl and the storages of a fixture archive, re-packed by `torchArchive`.
private func unpack(_ name: String) throws -> (pickle: [UInt8], storages: [(String, [UInt8])]) {
    let data = try Fixture.bytes(name)
    return try data.withUnsafeBytes { file in
        let zip = try ZipArchive(file: file, path: name)
        var pickle: [UInt8] = []
        var storages: [(String, [UInt8])] = []
        for e in zip.entries {
            let bytes = Array(file[e.data])
            if e.name.hasSuffix("/data.pkl") { pickle = bytes }
            if let r = e.name.range(of: "/data/") { storages.append((String(e.name[r.upperBound...]), bytes)) }
        }
        return (pickle, storages)
    }
}

@Suite struct FuzzTests {
    @Test(arguments: ["views.bin", "dtypes.bin", "protocol4.bin"])
    func everyPrefixOfThePickleIsRefused(_ name: String) throws {
        let (pickle, storages) = try unpack(name)
        #expect(rejection(torchArchive(pickle, storages: storages)) == nil)
        for cut in 0..<pickle.count {
            let e = rejection(torchArchive(Array(pickle[0..<cut]), storages: storages, crc: false))
            #expect(e != nil, "\(name): prefix of \(cut) bytes accepted")
        }
    }

    @Test(arguments: ["views.bin", "dtypes.bin", "protocol4.bin"])
    func flippedPickleBytesNeverCrash(_ name: String) throws {
        let (pickle, storages) = try unpack(name)
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func next() -> Int {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Int(state >> 1)
        }
        var outcomes: [String: Int] = [:]
        for _ in 0..<1500 {
            var p = pickle
            for _ in 0..<(1 + next() % 4) {
                if next() % 2 == 0 { p[next() % p.count] ^= UInt8(1 << (next() % 8)) } else { p[next() % p.count] = UInt8(next() % 256) }
            }
            outcomes[caseName(rejection(torchArchive(p, storages: storages, crc: false))) ?? "read", default: 0] += 1
        }
        #expect(outcomes.count > 5, "\(outcomes)")
    }
}
