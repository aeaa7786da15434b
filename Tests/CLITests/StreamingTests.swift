// encode streams its input: peak memory is set by the chunk of batches in flight, not by the file.
// Always on: 2,000 vs 20,000 lines (2,000 so that the small run already meets the batch shapes a
// long one does: oneDNN keeps a few KB for each product shape it has seen, a bounded amount). Opt-in (MIRROR_BERT_BIG_TESTS=1): a generated 1M-line file,
// whose peak RSS and time are printed.

import FileIO
import Foundation
import Testing
import TestSupport

@Suite(.enabled(if: TestPaths.exists(TestPaths.miniLM), "run Scripts/setup.sh to fetch all-MiniLM-L6-v2"))
struct StreamingTests {
    static let big = ProcessInfo.processInfo.environment["MIRROR_BERT_BIG_TESTS"] == "1"

    /// Writes `count` distinct lines (about 60 bytes each) to `url`, a block at a time.
    func writeLines(_ count: Int, to url: URL) throws {
        FileManager.default.createFile(atPath: url.path, contents: nil)
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        var block = ""
        for i in 0..<count {
            block += "line \(i): a man plays the \(["guitar", "piano", "drums"][i % 3]) in park number \(i % 977)\n"
            if block.utf8.count > 1 << 20 || i == count - 1 { handle.write(Data(block.utf8)); block = "" }
        }
    }

    /// Encodes `lines` generated lines with the tiny model; returns peak RSS (KiB) and seconds.
    func encode(_ lines: Int, model: URL, tmp: TemporaryDirectory, format: String = "npy") throws -> (rss: Int, seconds: Double, bytes: Int) {
        let input = tmp.file("in-\(lines).txt"), output = tmp.file("out-\(lines).\(format)")
        try writeLines(lines, to: input)
        let start = Date()
        let p = try SpawnedProcess.mirrorBERT(["encode", "--model", model.path, "--input", input.path, "--output", output.path,
                                               "--max-length", "32", "--batch-size", "64"], logs: tmp.url, name: "encode-\(lines)")
        let exit = p.wait()
        let seconds = Date().timeIntervalSince(start)
        #expect(exit.status == 0, "\(exit)\n\(p.stderr)")
        if format == "npy" {
            let header = try Data(contentsOf: output).prefix(128)
            #expect(String(decoding: header, as: UTF8.self).contains("'shape': (\(lines), 32)"))
        }
        let bytes = (try FileManager.default.attributesOfItem(atPath: input.path)[.size] as? Int) ?? 0
        try? FileManager.default.removeItem(at: input)
        try? FileManager.default.removeItem(at: output)
        return (exit.maxRSSKiB, seconds, bytes)
    }

    @Test func encodeMemoryDoesNotGrowWithTheFile() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        let model = tmp.file("tiny")
        try TinyModelFactory.make(at: model, tokenizerFrom: TestPaths.miniLM, vocabSize: 30522)
        // The product library keeps a primitive (tens of KB of JIT code) for each batch shape it has
        // met, at most 256 (COneDNN/matmul.c): a bounded cost that fills over the first thousands of
        // lines, not one that grows with the file. 8,000 lines have met this input's shapes.
        let small = try encode(8_000, model: model, tmp: tmp)
        let large = try encode(20_000, model: model, tmp: tmp)
        // Loading the whole file would hold 20,000 strings, encodings and vectors: tens of MB more.
        #expect(large.rss - small.rss < 6 * 1024, "peak RSS \(small.rss) KiB for 8,000 lines, \(large.rss) KiB for 20,000")
        print("encode peak RSS: \(small.rss) KiB for 8,000 lines, \(large.rss) KiB for 20,000 lines (\(large.bytes) bytes)")
        let jsonl = try encode(20_000, model: model, tmp: tmp, format: "jsonl")
        #expect(jsonl.rss - small.rss < 6 * 1024, "jsonl: \(jsonl.rss) KiB for 20,000 lines")
        print("encode peak RSS, jsonl: \(jsonl.rss) KiB for 20,000 lines")
    }

    @Test(.enabled(if: big, "set MIRROR_BERT_BIG_TESTS=1 to encode a generated 1M-line file"))
    func encodeAMillionLinesInBoundedMemory() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        let model = tmp.file("tiny")
        try TinyModelFactory.make(at: model, tokenizerFrom: TestPaths.miniLM, vocabSize: 30522)
        let small = try encode(2_000, model: model, tmp: tmp)
        let million = try encode(1_000_000, model: model, tmp: tmp)
        print(String(format: "encode 1,000,000 lines (%.1f MB file): peak RSS %d KiB (200 lines: %d KiB), %.1f s",
                     Double(million.bytes) / 1e6, million.rss, small.rss, million.seconds))
        #expect(million.rss - small.rss < 8 * 1024, "peak RSS \(million.rss) KiB for 1M lines vs \(small.rss) KiB for 200")
    }
}
