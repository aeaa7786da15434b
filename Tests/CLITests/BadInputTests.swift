// Bad input to the command line: each case exits non-zero with a message that names the file and
// the problem, and leaves no output file behind.

import Foundation
import Testing
import TestSupport

@Suite(.enabled(if: TestPaths.exists(TestPaths.miniLM), "run Scripts/setup.sh to fetch all-MiniLM-L6-v2"))
struct BadInputTests {
    func expectFailure(_ args: [String], stdin: Data? = nil, mentions: [String], noFile: URL? = nil,
                       sourceLocation: SourceLocation = #_sourceLocation) throws {
        let r = try MirrorBERTExecutable.run(args, stdin: stdin)
        #expect(r.status != 0, "expected failure: \(r)", sourceLocation: sourceLocation)
        for m in mentions { #expect(r.stderr.contains(m), "stderr should mention '\(m)': \(r)", sourceLocation: sourceLocation) }
        #expect(!r.stderr.contains("Fatal error"), "must not crash: \(r)", sourceLocation: sourceLocation)
        if let noFile {
            #expect(!FileManager.default.fileExists(atPath: noFile.path), "no output may be left: \(noFile.path)",
                    sourceLocation: sourceLocation)
            let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: noFile.deletingLastPathComponent().path)) ?? []
            #expect(!leftovers.contains { $0.hasPrefix(".\(noFile.lastPathComponent)") }, "no temporary file may be left: \(leftovers)",
                    sourceLocation: sourceLocation)
        }
    }

    /// A copy of the MiniLM folder (symlinked weights) to break one file in.
    func modelCopy(in tmp: TemporaryDirectory) throws -> URL {
        let dir = tmp.file("model")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: TestPaths.miniLM.path) {
            try FileManager.default.copyItem(at: TestPaths.miniLM.appendingPathComponent(name), to: dir.appendingPathComponent(name))
        }
        return dir
    }

    @Test func missingModelFolder() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        let input = tmp.file("in.txt"); try Data("hello\n".utf8).write(to: input)
        let out = tmp.file("out.npy")
        try expectFailure(["encode", "--model", tmp.file("nope").path, "--input", input.path, "--output", out.path],
                          mentions: [tmp.file("nope").path, "no such directory"], noFile: out)
    }

    @Test func corruptSafetensors() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        let model = try modelCopy(in: tmp)
        let weights = model.appendingPathComponent("model.safetensors")
        let bytes = try Data(contentsOf: weights)
        try bytes.prefix(bytes.count / 2).write(to: weights)
        let input = tmp.file("in.txt"); try Data("hello\n".utf8).write(to: input)
        let out = tmp.file("out.npy")
        try expectFailure(["encode", "--model", model.path, "--input", input.path, "--output", out.path],
                          mentions: [weights.path], noFile: out)
    }

    @Test func unknownModelType() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        let model = try modelCopy(in: tmp)
        let config = model.appendingPathComponent("config.json")
        let text = try String(contentsOf: config, encoding: .utf8).replacingOccurrences(of: "\"bert\"", with: "\"gpt2\"")
        try Data(text.utf8).write(to: config)
        try expectFailure(["info", "--model", model.path], mentions: [config.path, "gpt2"])
    }

    @Test func invalidUTF8Line() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        let input = tmp.file("in.txt")
        try Data([0x6F, 0x6B, 0x0A, 0x62, 0x61, 0xFF, 0x64, 0x0A]).write(to: input)
        let out = tmp.file("out.npy")
        try expectFailure(["encode", "--model", TestPaths.miniLM.path, "--input", input.path, "--output", out.path],
                          mentions: ["\(input.path):2", "UTF-8"], noFile: out)
    }

    @Test func emptyInputFile() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        let input = tmp.file("in.txt"); try Data().write(to: input)
        let out = tmp.file("out.jsonl")
        try expectFailure(["encode", "--model", TestPaths.miniLM.path, "--input", input.path, "--output", out.path],
                          mentions: [input.path, "empty"], noFile: out)
    }

    @Test func unknownOutputExtension() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        let input = tmp.file("in.txt"); try Data("hello\n".utf8).write(to: input)
        let out = tmp.file("out.csv")
        try expectFailure(["encode", "--model", TestPaths.miniLM.path, "--input", input.path, "--output", out.path],
                          mentions: [".npy", "out.csv"], noFile: out)
    }

    @Test func missingCorpusAndEmptyCorpus() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        let out = tmp.file("trained")
        try expectFailure(["train", "--model", TestPaths.miniLM.path, "--corpus", tmp.file("none.txt").path, "--output", out.path],
                          mentions: [tmp.file("none.txt").path], noFile: out)
        let empty = tmp.file("empty.txt"); try Data("\n\n".utf8).write(to: empty)
        try expectFailure(["train", "--model", TestPaths.miniLM.path, "--corpus", empty.path, "--output", out.path],
                          mentions: [empty.path], noFile: out)
    }
}
