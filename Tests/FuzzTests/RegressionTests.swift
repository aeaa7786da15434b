// Inputs the fuzzers found that crashed a parser or made it allocate without bound, kept as
// regression tests (each is now a typed error, or a bounded load).

import Foundation
import Models
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
