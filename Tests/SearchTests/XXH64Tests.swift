// XXH64 against digests printed by `xxhsum -H64` (xxHash 0.8), covering every tail path
// (< 32 bytes, stripes, 8/4/1-byte remainders).

import Foundation
@testable import Search
import Testing

struct XXH64Tests {
    func hex(_ bytes: [UInt8]) -> String { bytes.withUnsafeBytes { XXH64.hex($0) } }

    @Test func matchesXxhsum() {
        #expect(hex([]) == "ef46db3751d8e999")
        #expect(hex(Array("a".utf8)) == "d24ec4f1a98c6e5b")
        #expect(hex(Array("abc".utf8)) == "44bc2cf5ad770999")
        #expect(hex(Array(repeating: UInt8(ascii: "x"), count: 100)) == "92f0de5a88a3c094")
        // bytes 0…255 three times, then 0…36: 805 bytes = 25 stripes + 8 + 8 + 4 + 1 bytes.
        let ramp = (0..<3).flatMap { _ in (0...255).map { UInt8($0) } } + (0..<37).map { UInt8($0) }
        #expect(hex(ramp) == "01532e07f9468316")
    }

    @Test func everyLengthDiffers() {
        let bytes = (0..<100).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let hashes = (0...100).map { hex(Array(bytes.prefix($0))) }
        #expect(Set(hashes).count == hashes.count)
        #expect(hashes.allSatisfy { $0.count == 16 })
    }
}
