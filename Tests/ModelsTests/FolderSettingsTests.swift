// What a model folder's sentence-transformers files declare (FolderSettings), read from the real
// all-MiniLM-L6-v2 and all-mpnet-base-v2 folders and from folders written here in each format
// sentence-transformers has used; and written back by Checkpoint.save.

import Foundation
import JSON
@testable import Models
import Testing
import TestSupport

struct FolderSettingsTests {
    static let mpnet = TestPaths.root.appendingPathComponent("models/all-mpnet-base-v2")

    @Test(.enabled(if: TestPaths.exists(TestPaths.miniLM), "run Scripts/setup.sh to fetch all-MiniLM-L6-v2"))
    func miniLM() throws {
        let s = try FolderSettings.read(TestPaths.miniLM)
        #expect(s == FolderSettings(pooling: .meanMasked, normalize: true, maxLength: 256))
    }

    @Test(.enabled(if: TestPaths.exists(mpnet), "run Scripts/setup.sh --model mpnet to fetch all-mpnet-base-v2"))
    func mpnetFolder() throws {
        let s = try FolderSettings.read(Self.mpnet)
        #expect(s == FolderSettings(pooling: .meanMasked, normalize: true, maxLength: 384))
    }

    @Test func legacyFormat() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        try TinyModelFactory.declare(at: tmp.url, pooling: "cls", normalize: false, maxSeqLength: 20)
        #expect(try FolderSettings.read(tmp.url) == FolderSettings(pooling: .cls, normalize: false, maxLength: 20))
        try TinyModelFactory.declare(at: tmp.url, pooling: "mean", normalize: true, maxSeqLength: nil)
        #expect(try FolderSettings.read(tmp.url) == FolderSettings(pooling: .meanMasked, normalize: true, maxLength: nil))
    }

    /// sentence-transformers ≥ 6 writes {"embedding_dimension", "pooling_mode": str | [str]}.
    @Test(arguments: [(#""cls""#, Pooling.cls), (#"["mean"]"#, .meanMasked), (#""mean""#, .meanMasked)])
    func currentFormat(mode: String, expected: Pooling) throws {
        let v = try JSONFromText(#"{"embedding_dimension": 32, "pooling_mode": \#(mode), "include_prompt": true}"#)
        #expect(try FolderSettings.poolingMode(v, path: "p") == expected)
    }

    /// A mode this tool does not implement is an error naming the file, never a silent default.
    @Test func unsupportedModesAreRefused() throws {
        for text in [#"{"pooling_mode": "max"}"#, #"{"pooling_mode": ["cls", "mean"]}"#,
                     #"{"pooling_mode_cls_token": false, "pooling_mode_max_tokens": true}"#] {
            #expect(throws: ModelError.self) { try FolderSettings.poolingMode(try JSONFromText(text), path: "p") }
        }
    }

    @Test func malformedFilesNameTheFile() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        try TinyModelFactory.declare(at: tmp.url, pooling: "cls", normalize: false, maxSeqLength: 20)
        try Data(#"{"max_seq_length": "long"}"#.utf8).write(to: tmp.file("sentence_bert_config.json"))
        do {
            _ = try FolderSettings.read(tmp.url)
            Issue.record("read")
        } catch let ModelError.invalidConfig(path, reason) {
            #expect(path.hasSuffix("sentence_bert_config.json") && reason.contains("max_seq_length"), "\(reason)")
        }
        try Data("[{\"path\": \"\",".utf8).write(to: tmp.file("modules.json"))
        #expect(throws: ModelError.self) { try FolderSettings.read(tmp.url) }
    }

    @Test func otherModulesAreListed() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        try TinyModelFactory.declare(at: tmp.url, pooling: "cls", normalize: false, maxSeqLength: nil)
        let modules = #"[{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"}, {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}, {"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"}]"#
        try Data(modules.utf8).write(to: tmp.file("modules.json"))
        #expect(try FolderSettings.read(tmp.url).unappliedModules == ["sentence_transformers.models.Dense"])
    }

    /// A saved folder declares the trained pooling and keeps the base folder's normalization and
    /// max_seq_length (not the training length).
    @Test func saveKeepsTheBaseFoldersSettings() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        let base = tmp.file("base")
        try TinyModelFactory.make(at: base, tokenizerFrom: TestPaths.fixture("tokenizers/tiny-uncased"), vocabSize: 276)
        try TinyModelFactory.declare(at: base, pooling: "mean", normalize: true, maxSeqLength: 100)
        let ckpt = try Checkpoint.load(base)
        for (trained, expected) in [(Pooling.cls, Pooling.cls), (.mean, .meanMasked), (.meanMasked, .meanMasked)] {
            let out = tmp.file("out-\(trained.rawValue)")
            try ckpt.save(to: out, pooling: trained)
            #expect(try FolderSettings.read(out) == FolderSettings(pooling: expected, normalize: true, maxLength: 100))
        }
    }
}

private func JSONFromText(_ s: String) throws -> JSONValue { try JSONParser.parse(Array(s.utf8)) }
