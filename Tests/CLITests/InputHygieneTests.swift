// Each kind of awkward input has one defined behaviour, end to end: BOM, CRLF and a missing final
// newline are accepted; blank lines are embedded as "" (encode) or skipped and counted (train);
// invalid UTF-8, NUL bytes and lines over 1 MiB are errors naming file:line with no output left;
// over-long texts are truncated and counted; a corpus smaller than one batch, or with too few
// distinct texts for one, is an error naming the file.

import FileIO
import Foundation
import Testing
import TestSupport

@Suite(.enabled(if: TestPaths.exists(TestPaths.miniLM), "run Scripts/setup.sh to fetch all-MiniLM-L6-v2"))
struct InputHygieneTests {
    func tinyModel(_ tmp: TemporaryDirectory) throws -> URL {
        let model = tmp.file("tiny")
        try TinyModelFactory.make(at: model, tokenizerFrom: TestPaths.miniLM, vocabSize: 30522)
        return model
    }

    func encode(_ bytes: [UInt8], model: URL, tmp: TemporaryDirectory, extra: [String] = []) throws -> (CommandResult, URL, URL) {
        let input = tmp.file("in-\(UUID().uuidString).txt"), out = tmp.file("out-\(UUID().uuidString).npy")
        try Data(bytes).write(to: input)
        let r = try MirrorBERTExecutable.run(["encode", "--model", model.path, "--input", input.path, "--output", out.path,
                                              "--max-length", "16"] + extra)
        return (r, input, out)
    }

    @Test func encodeAcceptsBOMCRLFAndBlankLinesAndCountsTruncation() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        let model = try tinyModel(tmp)
        let long = String(repeating: "word ", count: 40)
        let (r, _, out) = try encode([0xEF, 0xBB, 0xBF] + Array("first\r\n\r\n\(long)\r\nlast".utf8), model: model, tmp: tmp)
        #expect(r.status == 0, "\(r)")
        #expect(r.stderr.contains("encoded 4 lines") && r.stderr.contains("1 blank lines embedded as the empty string")
                && r.stderr.contains("1 lines truncated to 16 tokens"), "\(r)")
        let (shape, _) = try NPY.read(out)
        #expect(shape == [4, 32])
    }

    @Test func encodeRefusesBadBytesNamingFileAndLine() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        let model = try tinyModel(tmp)
        let cases: [([UInt8], String)] = [
            (Array("ok\nba".utf8) + [0x00] + Array("d\n".utf8), ":2: contains a NUL byte"),
            (Array("ok\nok\nba".utf8) + [0xC3, 0x28] + Array("\n".utf8), ":3: invalid UTF-8"),
            (Array("ok\n\(String(repeating: "x", count: (1 << 20) + 1))\n".utf8), ":2: line is longer than 1048576 bytes"),
        ]
        for (bytes, message) in cases {
            let (r, input, out) = try encode(bytes, model: model, tmp: tmp)
            #expect(r.status != 0 && r.stderr.contains(input.path + message), "\(message): \(r)")
            #expect(!FileManager.default.fileExists(atPath: out.path))
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: tmp.url.path).filter { $0.contains(".tmp-") }
            #expect(leftovers.isEmpty, "\(leftovers)")
        }
    }

    @Test func trainCorpusRules() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        let model = try tinyModel(tmp)
        func train(_ text: String, _ extra: [String] = []) throws -> (CommandResult, URL) {
            let corpus = tmp.file("corpus-\(UUID().uuidString).txt"), out = tmp.file("out-\(UUID().uuidString)")
            try Data(text.utf8).write(to: corpus)
            let r = try MirrorBERTExecutable.run(["train", "--model", model.path, "--corpus", corpus.path, "--output", out.path,
                                                  "--batch-size", "4", "--max-length", "16"] + extra)
            #expect(r.status == 0 || !FileManager.default.fileExists(atPath: out.path), "a failed run leaves no output")
            return (r, corpus)
        }
        // Blank lines are skipped and counted; BOM and CRLF accepted.
        var (r, corpus) = try train("\u{FEFF}one\r\n\r\ntwo\r\n   \r\nthree\r\nfour\r\nfive")
        #expect(r.status == 0 && r.stderr.contains("5 examples (2 blank lines skipped)"), "\(r)")
        // Smaller than one batch.
        (r, corpus) = try train("one\ntwo\nthree\n")
        #expect(r.status != 0 && r.stderr.contains("\(corpus.path): 3 training examples, fewer than one batch of 4"), "\(r)")
        // Duplicates: kept out of one batch, so too few distinct texts is an error; allowed with the flag.
        (r, corpus) = try train("same\nsame\nsame\nother\nother\n")
        #expect(r.status != 0 && r.stderr.contains("\(corpus.path): only 2 distinct texts"), "\(r)")
        (r, _) = try train("same\nsame\nsame\nother\nother\n", ["--allow-duplicates-in-batch"])
        #expect(r.status == 0, "\(r)")
        // Pairs mode: a line without exactly one separator names file:line.
        (r, corpus) = try train("a||b\nc||d\nno separator\ne||f\n", ["--mode", "pairs"])
        #expect(r.status != 0 && r.stderr.contains("\(corpus.path):3:"), "\(r)")
        // NUL byte.
        (r, corpus) = try train("a\nb\u{0}c\nd\ne\n")
        #expect(r.status != 0 && r.stderr.contains("\(corpus.path):2: contains a NUL byte"), "\(r)")
    }
}
