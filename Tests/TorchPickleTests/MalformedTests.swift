// Archives the reader must refuse, each with its own error: the fixture script's malformed/*.bin,
// then pickles assembled here for the opcode-level edge cases.

import Foundation
import Testing
@testable import TorchPickle

/// (fixture, error case, text the message must contain)
private let fixtures: [(String, String, String)] = [
    ("missing_storage", "missingRecord", "archive/data/7"),
    ("short_storage", "storageSizeMismatch", "needs 24 bytes, its record holds 20"),
    ("absurd_numel", "storageTooLarge", "4611686018427387904 elements"),
    ("absurd_shape", "tensorShapeOverflow", "[2147483648, 2147483648, 2147483648]"),
    ("offset_past_storage", "tensorOutOfStorage", "reaches element 9 of a storage of 6"),
    ("broadcast_past_storage", "tensorLargerThanStorage", "1000000 elements over a storage of 6"),
    ("negative_stride", "tensorNegativeLayout", "stride [-1]"),
    ("deep_tuples", "nestingTooDeep", "deeper than 100"),
    ("deep_lists", "nestingTooDeep", "deeper than 100"),
    ("unknown_storage_type", "unsupportedStorageType", "torch.ComplexFloatStorage"),
    ("dtype_conflict", "storageConflict", "6 × F32 and as 12 × F16"),
    ("bad_persistent_id", "invalidPersistentID", "expected 5 fields, got 4"),
    ("no_data_pkl", "missingPickle", "no <folder>/data.pkl"),
    ("truncated_pickle", "pickleTruncated", "truncated"),
    ("data_after_stop", "pickleTrailingData", "after STOP"),
    ("unknown_memo", "memoMissing", "memo index 5"),
    ("top_level_list", "notAStateDict", "a list of 1"),
    ("non_tensor_entry", "nonTensorEntry", "\"step\" is the integer 3"),
    ("neg_bit", "unsupportedTensorMetadata", "neg bit set"),
    ("backward_hooks", "invalidArguments", "backward_hooks holds 1 hooks"),
    ("big_integer", "integerTooLarge", "9-byte integer"),
    ("deflated", "zipCompressedEntry", "deflate-compressed"),
    ("legacy", "legacyFormat", "legacy (pre-1.6)"),
]

@Suite struct MalformedFixtureTests {
    @Test(arguments: fixtures.map { $0.0 })
    func refusedWithItsOwnError(_ name: String) throws {
        let (_, errorCase, mention) = fixtures.first { $0.0 == name }!
        let url = Fixture.url("malformed/\(name).bin")
        do {
            _ = try TorchCheckpoint(url: url)
            Issue.record("\(name) was accepted")
        } catch let e as TorchPickleError {
            #expect(caseName(e) == errorCase, "\(e)")
            #expect(e.description.contains(mention), "\(e)")
            #expect(e.description.hasPrefix(url.path), "\(e)")
        }
    }
}

@Suite struct PickleEdgeCaseTests {
    let six = f32Bytes([1, 2, 3, 4, 5, 6])

    func tensorPickle(_ body: [UInt8]) -> Data { torchArchive(body, storages: [("0", six)]) }

    @Test func acceptsTheOpcodesTorchUses() throws {
        // MEMOIZE/BINGET reuse, LONG1, SHORT_BINUNICODE, POP, DUP+POP, EMPTY_LIST, and an OrderedDict with BUILD.
        let t = P.tensor(P.storage("FloatStorage", "0", 6), offset: 0, size: [2, 3], stride: [3, 1])
        var pkl: [UInt8] = [0x80, 0x04] + P.global("collections", "OrderedDict") + [0x29, 0x52, 0x94]  // memo 0: the dict
        pkl += [0x28, 0x8C, 0x01, 0x61] + t + [0x94]  // "a": tensor (memo 1)
        pkl += [0x8C, 0x01, 0x62, 0x68, 0x01]  // "b": the same tensor again
        pkl += [0x8A, 0x01, 0xFF, 0x30, 0x5D, 0x32, 0x30, 0x30]  // LONG1 -1, POP, EMPTY_LIST, DUP, POP, POP
        pkl += [0x75, 0x7D, 0x8C, 0x09] + Array("_metadata".utf8) + [0x4E, 0x73, 0x62, 0x2E]  // SETITEMS, BUILD
        let c = try TorchCheckpoint(data: torchArchive(pkl, storages: [("0", six)]))
        #expect(c.tensors.map(\.name) == ["a", "b"])
        #expect(try c.floats("b") == [1, 2, 3, 4, 5, 6])
    }

    @Test func depthLimitIsExact() {
        func nested(_ n: Int) -> [UInt8] { [0x80, 0x02, 0x29] + [UInt8](repeating: 0x85, count: n - 1) + [0x2E] }
        // Depth 100 builds (then fails as "not a state dict"); 101 is refused as too deep.
        #expect(caseName(rejection(torchArchive(nested(100)))) == "notAStateDict")
        #expect(caseName(rejection(torchArchive(nested(101)))) == "nestingTooDeep")
    }

    @Test func opcodeLevelErrors() {
        let cases: [([UInt8], String)] = [
            ([0x80, 0x02, 0x74, 0x2E], "malformedPickle"),  // TUPLE without MARK
            ([0x80, 0x02, 0x28, 0x85, 0x2E], "malformedPickle"),  // TUPLE1 would pop below the MARK
            ([0x80, 0x02, 0x4E, 0x4E, 0x2E], "malformedPickle"),  // two values at STOP
            ([0x80, 0x02, 0x28, 0x7D, 0x2E], "malformedPickle"),  // open MARK at STOP
            ([0x80, 0x06, 0x7D, 0x2E], "malformedPickle"),  // protocol 6
            ([0x80, 0x02, 0x5D, 0x5D, 0x7D, 0x73, 0x2E], "malformedPickle"),  // SETITEM on a list
            ([0x80, 0x02, 0x7D, 0x5D, 0x4E, 0x73, 0x2E], "malformedPickle"),  // unhashable key
            ([0x80, 0x02, 0x7D, 0x58, 0xFF, 0xFF, 0xFF, 0x7F], "pickleTruncated"),  // string longer than the pickle
            ([0x80, 0x02, 0x7D, 0x8B, 0xFF, 0xFF, 0xFF, 0x00], "pickleTruncated"),  // LONG4 longer than the pickle
            ([0x80, 0x02, 0x7D, 0x8B, 0xFF, 0xFF, 0xFF, 0xFF], "malformedPickle"),  // negative LONG4 length
            ([0x80, 0x02, 0x7D, 0x95, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], "pickleTruncated"),  // FRAME
            ([0x80, 0x02, 0x8C, 0x02, 0xC3, 0x28, 0x2E], "malformedPickle"),  // invalid UTF-8
            ([0x80, 0x02, 0x63, 0x6F, 0x73], "pickleTruncated"),  // GLOBAL without newline
            ([0x80, 0x02, 0x49, 0x31, 0x0A, 0x2E], "unsupportedOpcode"),  // text INT
            ([0x80, 0x02, 0x50, 0x30, 0x0A, 0x2E], "unsupportedOpcode"),  // text PERSID
            ([0x80, 0x02, 0x81, 0x2E], "unsupportedOpcode"),  // NEWOBJ
            ([0x80, 0x02, 0x92, 0x2E], "unsupportedOpcode"),  // NEWOBJ_EX
            ([0x80, 0x02, 0x8F, 0x2E], "unsupportedOpcode"),  // EMPTY_SET
            ([0x80, 0x02, 0xFF, 0x2E], "unsupportedOpcode"),  // not an opcode
            ([0x80, 0x02, 0x7D, 0x4E, 0x4E, 0x73, 0x2E], "nonStringKey"),
            ([], "pickleTruncated"),
        ]
        for (pkl, expected) in cases {
            let e = rejection(torchArchive(pkl))
            #expect(caseName(e) == expected, "\(pkl.map { String($0, radix: 16) }): \(String(describing: e))")
        }
    }

    @Test func persistentIDsAreChecked() {
        func pid(_ fields: [UInt8]...) -> Data {
            tensorPickle(P.stateDict([("w", P.global("torch._utils", "_rebuild_tensor_v2")
                + P.tuple(fields.reduce([0x28], +) + [0x74, 0x51], P.int(0), P.ints([6]), P.ints([1]), [0x89], [0x7D])
                + [0x52])]))
        }
        let storage = P.global("torch", "FloatStorage")
        #expect(caseName(rejection(pid(P.str("module"), storage, P.str("0"), P.str("cpu"), P.int(6)))) == "invalidPersistentID")
        #expect(caseName(rejection(pid(P.str("storage"), P.str("x"), P.str("0"), P.str("cpu"), P.int(6)))) == "invalidPersistentID")
        #expect(caseName(rejection(pid(P.str("storage"), storage, P.str("../0"), P.str("cpu"), P.int(6)))) == "invalidPersistentID")
        #expect(caseName(rejection(pid(P.str("storage"), storage, P.str("0"), P.str("cpu"), P.int(-6)))) == "invalidPersistentID")
        #expect(caseName(rejection(pid(P.str("storage"), storage, P.str("0"), P.str("cuda:0"), P.int(6)))) == nil)
    }

    @Test func tensorArgumentsAreChecked() {
        let s = P.storage("FloatStorage", "0", 6)
        let rebuild = P.global("torch._utils", "_rebuild_tensor_v2")
        let bad: [[UInt8]] = [
            rebuild + P.tuple(s, P.int(0), P.ints([6]), P.ints([1]), [0x89]) + [0x52],  // 5 arguments
            rebuild + P.tuple(P.int(0), P.int(0), P.ints([6]), P.ints([1]), [0x89], [0x7D]) + [0x52],  // not a storage
            rebuild + P.tuple(s, P.int(0), P.ints([6]), P.ints([1, 1]), [0x89], [0x7D]) + [0x52],  // rank mismatch
            rebuild + P.tuple(s, P.int(0), P.ints([6]), P.ints([1]), P.int(0), [0x7D]) + [0x52],  // requires_grad
            rebuild + P.tuple(s, P.int(0), P.ints([6]), P.ints([1]), [0x89], [0x4E]) + [0x52],  // hooks None
            rebuild + P.tuple(s, P.int(0), P.ints([6]), P.ints([1]), [0x89], [0x7D], P.int(1)) + [0x52],  // metadata
            P.global("torch._utils", "_rebuild_parameter") + P.tuple(P.int(1), [0x89], [0x7D]) + [0x52],
        ]
        for body in bad {
            #expect(caseName(rejection(tensorPickle(P.stateDict([("w", body)])))) == "invalidArguments")
        }
        let ok = rebuild + P.tuple(s, P.int(0), P.ints([6]), P.ints([1]), [0x88], [0x7D], [0x7D, 0x8C, 0x03] + Array("neg".utf8) + [0x89, 0x73]) + [0x52]
        #expect(rejection(tensorPickle(P.stateDict([("w", ok)]))) == nil, "metadata with the bits off is fine")
    }

    @Test func emptyTensorsMayStartAtTheStorageEnd() throws {
        let s = P.storage("FloatStorage", "0", 6)
        let atEnd = P.tensor(s, offset: 6, size: [0, 3], stride: [3, 1])
        let c = try TorchCheckpoint(data: tensorPickle(P.stateDict([("e", atEnd)])))
        #expect(c.info("e")?.elementCount == 0)
        let past = P.tensor(s, offset: 7, size: [0], stride: [1])
        #expect(caseName(rejection(tensorPickle(P.stateDict([("e", past)])))) == "tensorOutOfStorage")
    }
}
