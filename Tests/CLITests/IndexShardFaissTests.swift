// `index --shard` + `merge` (with --unique across shards, and --faiss), and FAISS indexes through
// `index --faiss` / `search`, end to end on a tiny random model (no download needed).

import Foundation
@testable import Search
import Testing
import TestSupport

struct IndexShardFaissTests {
    /// 60 lines, batch size 1: chunks of 16 lines, so 3 shards take lines 0..<16, 16..<32, 32..<60.
    /// Lines 40… repeat lines 0…, so --unique drops texts that earlier shards hold; every 7th is blank.
    static let words = ["a man plays a guitar", "the cat sat on the mat", "dogs run in the park", "rain falls on the city",
                        "a woman slices an onion"]
    static let lines = (0..<60).map { i -> String in
        let j = i >= 40 ? i - 40 : i
        return j % 7 == 3 ? "" : "\(words[j % 5]) \(j / 5)."
    }

    struct Setup {
        let tmp: TemporaryDirectory
        let model: URL, corpus: URL
        func cleanup() { tmp.cleanup() }
        func run(_ args: [String]) throws -> CommandResult {
            try MirrorBERTExecutable.run(args.first == "merge" ? args : args + ["--model", model.path, "--batch-size", "1"])
        }
    }

    func setUp() throws -> Setup {
        let tmp = try TemporaryDirectory()
        let model = tmp.file("tiny")
        try TinyModelFactory.make(at: model, tokenizerFrom: TestPaths.fixture("tokenizers/tiny-uncased"), vocabSize: 276)
        let corpus = tmp.file("corpus.txt")
        try Data((Self.lines.joined(separator: "\n") + "\n").utf8).write(to: corpus)
        return Setup(tmp: tmp, model: model, corpus: corpus)
    }

    @Test(arguments: [false, true])
    func mergedIndexShardsEqualOneIndex(unique: Bool) throws {
        let s = try setUp(); defer { s.cleanup() }
        let flag = unique ? ["--unique"] : []
        let whole = s.tmp.file("whole.mbi"), out = s.tmp.file("out.mbi")
        #expect(try s.run(["index", "--input", s.corpus.path, "--output", whole.path] + flag).status == 0)
        for i in 0..<3 {
            let r = try s.run(["index", "--input", s.corpus.path, "--output", out.path, "--shard", "\(i)/3"] + flag)
            #expect(r.status == 0 && r.stderr.contains("shard \(i)/3"), "\(r)")
        }
        let again = try s.run(["index", "--input", s.corpus.path, "--output", out.path, "--shard", "1/3"] + flag)
        #expect(again.status == 0 && again.stderr.contains("is complete"), "\(again)")
        let merged = try MirrorBERTExecutable.run(["merge", "--output", out.path])
        #expect(merged.status == 0 && merged.stderr.contains("merged 3 index shards (60 lines"), "\(merged)")
        if unique { #expect(merged.stderr.contains("duplicates of earlier shards dropped"), "\(merged)") }
        let a = try EmbeddingIndex.read(whole), b = try EmbeddingIndex.read(out)
        #expect(a.header == b.header && a.texts == b.texts)
        // Other batches than one process's: the same rows up to float rounding.
        var worst: Float = 0
        for i in 0..<a.vectors.count { worst = max(worst, abs(a.vectors.pointer[i] - b.vectors.pointer[i])) }
        #expect(worst <= 1e-5, "largest difference \(worst)")
    }

    @Test func faissFromMergeAndFromIndexAnswerAsTheExactSearch() throws {
        let s = try setUp(); defer { s.cleanup() }
        let exact = s.tmp.file("exact.mbi"), out = s.tmp.file("out.faiss"), hnsw = s.tmp.file("h.faiss")
        #expect(try s.run(["index", "--input", s.corpus.path, "--output", exact.path]).status == 0)
        for i in 0..<2 {
            #expect(try s.run(["index", "--input", s.corpus.path, "--output", out.path, "--shard", "\(i)/2"]).status == 0)
        }
        let merged = try MirrorBERTExecutable.run(["merge", "--output", out.path, "--faiss", "Flat"])
        #expect(merged.status == 0 && merged.stderr.contains("FAISS Flat"), "\(merged)")
        let built = try s.run(["index", "--input", s.corpus.path, "--output", hnsw.path, "--faiss", "HNSW16"])
        #expect(built.status == 0 && built.stderr.contains("sidecar h.faiss.mirror-bert"), "\(built)")
        let query = "the cat sat on the mat 2."
        func hits(_ index: URL, _ extra: [String] = []) throws -> [(Int, Double)] {
            let r = try s.run(["search", "--index", index.path, "--json", "-k", "5", query] + extra)
            #expect(r.status == 0, "\(r)")
            return try JSONSearchOutput.hits(r.stdout)
        }
        let want = try hits(exact)
        for got in [try hits(out), try hits(hnsw, ["--ef-search", "64"])] {
            #expect(got.count == 5)
            for (g, w) in zip(got, want) { #expect(abs(g.1 - w.1) <= 1e-5 && (g.0 == w.0 || abs(g.1 - w.1) <= 1e-6)) }
        }
        let wrongKnob = try s.run(["search", "--index", hnsw.path, "--nprobe", "4", query])
        #expect(wrongKnob.status != 0 && wrongKnob.stderr.contains("--nprobe applies to IVF indexes"), "\(wrongKnob)")
        let knobOnExact = try s.run(["search", "--index", exact.path, "--ef-search", "4", query])
        #expect(knobOnExact.status != 0 && knobOnExact.stderr.contains("this is an exact index"), "\(knobOnExact)")
    }

    @Test func refusals() throws {
        let s = try setUp(); defer { s.cleanup() }
        let out = s.tmp.file("o.faiss")
        let both = try s.run(["index", "--input", s.corpus.path, "--output", out.path, "--faiss", "Flat", "--shard", "0/2"])
        #expect(both.status != 0 && both.stderr.contains("mirror-bert merge --output"), "\(both)")
        let bad = try s.run(["index", "--input", s.corpus.path, "--output", out.path, "--faiss", "Bogus9"])
        #expect(bad.status != 0 && bad.stderr.contains("cannot make a FAISS index"), "\(bad)")
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }
}

/// The (index, score) pairs of `search --json`'s first result line.
enum JSONSearchOutput {
    static func hits(_ stdout: String) throws -> [(Int, Double)] {
        guard let line = stdout.split(separator: "\n").first else { return [] }
        return try JSONDecoder().decode(IndexSearchCommandTests.QueryResult.self, from: Data(line.utf8)).results
            .map { ($0.index, $0.score) }
    }
}
