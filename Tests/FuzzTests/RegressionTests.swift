// Inputs the fuzzers found that crashed a parser or made it allocate without bound, kept as
// regression tests (each is now a typed error, or a bounded load).

import FileIO
import Foundation
import FuzzTargets
import Models
import Search
import Testing
import TestSupport
import Tokenizers

@Suite struct FuzzRegressionTests {
    func tinyTokenizerJSON(_ name: String = "tiny-cased", _ edit: (String) -> String) throws -> Data {
        let text = try String(contentsOf: TestPaths.fixture("tokenizers/\(name)/tokenizer.json"), encoding: .utf8)
        let edited = edit(text)
        #expect(edited != text, "the edit must apply")
        return Data(edited.utf8)
    }

    @Test func templateTypeIdBeyondInt32IsAnError() throws {
        // Was: a trap converting the type id to Int32 (ComponentFactory.makeTemplate).
        let data = try tinyTokenizerJSON("tiny-uncased") { text in
            guard let r = text.range(of: #""type_id": *0"#, options: .regularExpression) else { return text }
            return text.replacingCharacters(in: r, with: "\"type_id\": 1152921504606846976")
        }
        #expect(throws: TokenizerError.self) { try TokenizerLoader.load(tokenizerJSON: data, path: "tokenizer.json") }
    }

    @Test func aHugeTokenIdDoesNotAllocateAnArrayOfThatSize() throws {
        // Was: an id → token array of max id + 1 slots (2^31 slots, 16 GiB, for one hostile id).
        let data = try tinyTokenizerJSON { text in
            guard let r = text.range(of: #""L": \d+"#, options: .regularExpression) else { return text }
            return text.replacingCharacters(in: r, with: "\"L\": 2147483647")
        }
        let start = Date()
        let t = try TokenizerLoader.load(tokenizerJSON: data, path: "tokenizer.json")
        #expect(t.vocabularySize == 2_147_483_648)
        #expect(Date().timeIntervalSince(start) < 2)
        #expect(t.encode("L", maxLength: nil).ids.contains(2_147_483_647))
    }

    @Test func configsThatWouldOverflowTheLayoutAreErrors() throws {
        let text = try String(contentsOf: TestPaths.fixture("bert/tiny/config.json"), encoding: .utf8)
        // Was: num_hidden_layers 10^8 built a layout of 1.6·10^9 entries before any weights were read.
        for (key, value) in [("num_hidden_layers", "100000000"), ("vocab_size", "1152921504606846976"),
                             ("hidden_size", "4294967296"), ("intermediate_size", "9007199254740993")] {
            guard let r = text.range(of: "\"\(key)\": \\d+", options: .regularExpression) else {
                Issue.record("no \(key) in the fixture"); continue
            }
            let data = Data(text.replacingCharacters(in: r, with: "\"\(key)\": \(value)").utf8)
            #expect(throws: ModelError.self, "\(key) \(value)") { try EncoderConfig.parse(data, path: "config.json") }
        }
    }
}

@Suite struct ShardManifestRegressionTests {
    @Test func aLineRangeWhoseLengthOverflowsIsAnError() throws {
        // Was: a trap computing line_end − line_start (ShardMerge.manifests) for line_start −1 and
        // line_end 2^63 − 1, before the range was checked.
        let target = try #require(FuzzTargets.named("shard-manifest", root: TestPaths.root))
        let seed = String(decoding: try #require(target.seeds.first), as: UTF8.self)
        let hostile = seed.replacingOccurrences(of: "\"line_start\": 0", with: "\"line_start\": -1")
            .replacingOccurrences(of: "\"line_end\": 3", with: "\"line_end\": 9223372036854775807")
        #expect(hostile.contains("\"line_start\": -1") && hostile.contains("9223372036854775807"), "the edit must apply")
        #expect(throws: ShardError.self) { try target.body(Array(hostile.utf8)) }
        // The seed itself still merges.
        try target.body(Array(seed.utf8))
    }
    @Test func aShardArrayWhoseShapeDisagreesWithItsManifestIsAnError() throws {
        // Was: `rows += shape[0]` trapped on overflow (ShardMerge.merge) when a shard's .npy header
        // claimed (2^63 − 1, 0) rows, and a shape that disagreed with the data was concatenated
        // under a header that lied. Each shard's shape must now be its manifest's rows and its data.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mirror-bert-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("out.npy")
        let valid = NPY.headerBytes(rows: 3, columns: 2) + [UInt8](repeating: 0, count: 24)
        func merge(second: [UInt8]) throws {
            for (i, bytes) in [valid, second].enumerated() {
                let shard = try Shard(index: i, count: 2)
                let file = shard.file(for: output)
                try Data(bytes).write(to: file)
                let work = ShardManifest(shard: shard, inputLines: 6, inputBytes: 12, lines: (3 * i)..<(3 * i + 3), model: FuzzTargets.seedModel,
                                         options: "", threads: 1)
                try work.describing(file).write(to: ShardManifest.url(for: file))
            }
            try ShardMerge.merge(try ShardMerge.manifests(for: output), into: output)
        }
        for hostile in [NPY.headerBytes(rows: Int.max, columns: 0),                                // rows overflow the sum
                        NPY.headerBytes(rows: 4, columns: 2) + [UInt8](repeating: 0, count: 24),  // not the manifest's rows
                        NPY.headerBytes(rows: 3, columns: 2) + [UInt8](repeating: 0, count: 20)] { // data cut short
            #expect(throws: ShardError.self) { try merge(second: hostile) }
            #expect(!FileManager.default.fileExists(atPath: output.path), "a refused merge writes nothing")
        }
        try merge(second: valid)
        let merged = try NPY.read(output)
        #expect(merged.shape == [6, 2])
    }
}
