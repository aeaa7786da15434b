// A model folder's declared pooling, normalization and max length (its sentence-transformers
// files) are what encode, index and search use by default, a flag overrides them and says so, and
// a folder trained here with the word recipe encodes with cls without a flag. (serve: ServerTests.)

import FileIO
import Foundation
import Kernels
import Models
import Search
import Testing
import TestSupport

struct FolderSettingsCommandTests {
    /// Texts longer than the declared 6 tokens, so the max length shows in the embeddings.
    static let texts = ["a man plays a guitar on the stage tonight.", "the cat sat on the mat all day long.",
                        "dogs run in the park!", "rain falls on the city and the river."]

    struct Setup {
        let tmp: TemporaryDirectory
        let model: URL, input: URL
        func cleanup() { tmp.cleanup() }
    }

    /// A tiny model whose folder declares cls pooling, a Normalize module and max_seq_length 6.
    func setUp() throws -> Setup {
        let tmp = try TemporaryDirectory()
        let model = tmp.file("tiny")
        try TinyModelFactory.make(at: model, tokenizerFrom: TestPaths.fixture("tokenizers/tiny-uncased"), vocabSize: 276)
        try TinyModelFactory.declare(at: model, pooling: "cls", normalize: true, maxSeqLength: 6)
        let input = tmp.file("in.txt")
        try Data((Self.texts.joined(separator: "\n") + "\n").utf8).write(to: input)
        return Setup(tmp: tmp, model: model, input: input)
    }

    /// The library's embeddings in the precision the command line picks here by default.
    func library(_ model: URL, _ options: EmbedOptions) throws -> [Float] {
        var options = options
        options.precision = commandLinePrecision
        return try Embedder(try Checkpoint.load(model), options: options).embed(Self.texts).flatMap { $0 }
    }

    func npy(_ url: URL) throws -> [Float] { Array(try NPY.read(url).data) }

    @Test func encodeUsesTheFolderAndFlagsOverride() throws {
        let s = try setUp(); defer { s.cleanup() }
        let out = s.tmp.file("default.npy")
        let r = try MirrorBERTExecutable.run(["encode", "--model", s.model.path, "--input", s.input.path, "--output", out.path])
        #expect(r.status == 0, "\(r)")
        #expect(r.stderr.contains("pooling cls (the model folder), max length 6 (the model folder), normalize on (the model folder)"), "\(r)")
        let declared = try library(s.model, EmbedOptions(pooling: .cls, maxLength: 6, batchSize: 64, normalize: true))
        #expect(try npy(out) == declared)
        #expect(try npy(out) != (try library(s.model, EmbedOptions(pooling: .cls, maxLength: 24, batchSize: 64, normalize: true))),
                "the declared max length must change these embeddings")

        let flagged = s.tmp.file("flags.npy")
        let f = try MirrorBERTExecutable.run(["encode", "--model", s.model.path, "--input", s.input.path, "--output", flagged.path,
                                              "--pooling", "mean-masked", "--max-length", "24", "--no-normalize"])
        #expect(f.status == 0, "\(f)")
        for said in ["--pooling mean-masked overrides the model folder's cls", "--max-length 24 overrides the model folder's 6",
                     "--normalize off overrides the model folder's on"] {
            #expect(f.stderr.contains(said), "\(said): \(f)")
        }
        #expect(try npy(flagged) == (try library(s.model, EmbedOptions(pooling: .meanMasked, maxLength: 24, batchSize: 64, normalize: false))))
    }

    @Test func indexAndSearchUseTheFolderAndFlagsOverride() throws {
        let s = try setUp(); defer { s.cleanup() }
        let index = s.tmp.file("c.mbi")
        let built = try MirrorBERTExecutable.run(["index", "--model", s.model.path, "--input", s.input.path, "--output", index.path])
        #expect(built.status == 0, "\(built)")
        let header = try EmbeddingIndex.read(index).header
        #expect(header.pooling == .cls && header.maxLength == 6)

        // search embeds the query as the index's texts were: a text finds itself at 1.0000.
        let hit = try MirrorBERTExecutable.run(["search", "--index", index.path, "--model", s.model.path, "-k", "1", Self.texts[1]])
        #expect(hit.status == 0 && hit.stdout.contains("1\t1.0000\t\(Self.texts[1])"), "\(hit)")
        let refused = try MirrorBERTExecutable.run(["search", "--index", index.path, "--model", s.model.path, "--pooling",
                                                    "mean-masked", Self.texts[1]])
        #expect(refused.status != 0 && refused.stderr.contains("pooling"), "\(refused)")

        let flagged = s.tmp.file("flags.mbi")
        let f = try MirrorBERTExecutable.run(["index", "--model", s.model.path, "--input", s.input.path, "--output", flagged.path,
                                              "--pooling", "mean-masked", "--max-length", "24"])
        #expect(f.status == 0 && f.stderr.contains("--pooling mean-masked overrides the model folder's cls"), "\(f)")
        let h = try EmbeddingIndex.read(flagged).header
        #expect(h.pooling == .meanMasked && h.maxLength == 24)
        let noNormalize = try MirrorBERTExecutable.run(["index", "--model", s.model.path, "--input", s.input.path,
                                                        "--output", s.tmp.file("n.mbi").path, "--no-normalize"])
        #expect(noNormalize.status != 0 && noNormalize.stderr.contains("unit vectors"), "\(noNormalize)")
    }

    /// The word recipe trains with cls; the trained folder says so, and encode follows it.
    @Test func wordRecipeFolderEncodesWithCLS() throws {
        let s = try setUp(); defer { s.cleanup() }
        try TinyModelFactory.declare(at: s.model, pooling: "mean", normalize: true, maxSeqLength: 128)
        let words = s.tmp.file("words.txt")
        try Data((["guitar", "cat", "dog", "rain", "city", "river", "park", "stage"].joined(separator: "\n") + "\n").utf8).write(to: words)
        let trained = s.tmp.file("trained")
        let t = try MirrorBERTExecutable.run(["train", "--model", s.model.path, "--corpus", words.path, "--output", trained.path,
                                              "--mode", "word", "--batch-size", "4", "--epochs", "1"])
        #expect(t.status == 0, "\(t)")
        #expect(try FolderSettings.read(trained).pooling == .cls)
        #expect(try FolderSettings.read(trained).maxLength == 128, "the base folder's max_seq_length, not the training length 25")
        let info = try MirrorBERTExecutable.run(["info", "--model", trained.path])
        #expect(info.stdout.contains("pooling cls, normalized, max length 128"), "\(info)")
        #expect(info.stdout.contains("trained:      by mirror-bert with cls pooling, max length 25"), "\(info)")
        let out = s.tmp.file("w.npy")
        let r = try MirrorBERTExecutable.run(["encode", "--model", trained.path, "--input", s.input.path, "--output", out.path])
        #expect(r.status == 0 && r.stderr.contains("pooling cls (the model folder)"), "\(r)")
        #expect(try npy(out) == (try library(trained, EmbedOptions(pooling: .cls, maxLength: 128, batchSize: 64, normalize: true))))
    }

    /// training_args.json holds the options' JSON form with numbers as given.
    @Test func trainingArgumentsWriteNumbersAsGiven() throws {
        let s = try setUp(); defer { s.cleanup() }
        let trained = s.tmp.file("trained")
        let t = try MirrorBERTExecutable.run(["train", "--model", s.model.path, "--corpus", s.input.path, "--output", trained.path,
                                              "--batch-size", "2", "--dropout", "0.1", "--tau", "0.04", "--max-length", "16"])
        #expect(t.status == 0, "\(t)")
        let args = try String(contentsOf: trained.appendingPathComponent("training_args.json"), encoding: .utf8)
        for field in [#""tau": 0.04"#, #""dropout": 0.1"#, #""lr": 2e-05"#, #""pad_to_max": false"#, #""padded_rows": false"#, #""pad_queries": 2"#,
                      #""pooling": "mean""#, #""seed": 42"#] {
            #expect(args.contains(field), "\(field) in \(args)")
        }
        #expect(!args.contains("0.0399999") && !args.contains("mask_token"), "\(args)")
        let precision = commandLinePrecision.rawValue  // --precision auto
        #expect(args.contains("\"precision\": \"\(precision)\""), "\(args)")
        #expect(t.stderr.contains("precision \(precision) (auto:"), "\(t.stderr)")
    }
}

/// --precision on the command line: an explicit bf16 where the CPU cannot run it is an error that
/// says why and what to use instead; fp32 always works and is recorded.
@Suite struct PrecisionFlagTests {
    @Test(.enabled(if: !Precision.hasNativeBF16, "this CPU has native bf16, so --precision bf16 is accepted here"))
    func explicitBF16WithoutNativeSupportIsRefused() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        let input = tmp.file("in.txt"), output = tmp.file("out.npy")
        try "a sentence\n".write(to: input, atomically: true, encoding: .utf8)
        let r = try MirrorBERTExecutable.run(["encode", "--input", input.path, "--output", output.path, "--precision", "bf16"])
        #expect(!TestPaths.exists(output), "nothing written")
        #expect(r.status != 0 && r.stderr.contains("AVX512_BF16") && r.stderr.contains("--precision fp32"), "\(r)")
    }

    @Test func unknownPrecisionIsRefused() throws {
        let r = try MirrorBERTExecutable.run(["encode", "--input", "/dev/null", "--output", "/tmp/never.npy", "--precision", "fp16"])
        #expect(r.status != 0 && r.stderr.contains("fp16"), "\(r)")
    }
}

/// The sentence default computes the paper's mean on packed rows with 2 pad queries; a flag that
/// asks for padded rows or another pooling replaces it, and an explicit --pad-queries conflicts.
@Suite struct SentenceDefaultTests {
    func trainArgs(_ flags: [String]) throws -> (status: Int32, args: String, stderr: String) {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        let model = tmp.file("tiny"), input = tmp.file("in.txt"), out = tmp.file("out")
        try TinyModelFactory.make(at: model, tokenizerFrom: TestPaths.miniLM, vocabSize: 30522)
        try (0..<8).map { "sentence number \($0) about something" }.joined(separator: "\n").write(to: input, atomically: true, encoding: .utf8)
        let r = try MirrorBERTExecutable.run(["train", "--model", model.path, "--corpus", input.path, "--output", out.path,
                                              "--batch-size", "2", "--max-length", "16"] + flags)
        let args = (try? String(contentsOf: out.appendingPathComponent("training_args.json"), encoding: .utf8)) ?? ""
        return (r.status, args, r.stderr)
    }

    @Test(.enabled(if: TestPaths.exists(TestPaths.miniLM), "run Scripts/setup.sh to fetch all-MiniLM-L6-v2"))
    func defaultsAndTheFlagsThatReplaceThem() throws {
        let plain = try trainArgs([])
        #expect(plain.status == 0 && plain.args.contains(#""pad_queries": 2"#) && plain.args.contains(#""padded_rows": false"#),
                "\(plain)")
        let padded = try trainArgs(["--pad-to-max"])
        #expect(padded.status == 0 && !padded.args.contains("pad_queries") && padded.args.contains(#""padded_rows": true"#),
                "\(padded)")
        let cls = try trainArgs(["--pooling", "cls"])
        #expect(cls.status == 0 && !cls.args.contains("pad_queries"), "\(cls)")
        let conflict = try trainArgs(["--pooling", "cls", "--pad-queries", "4"])
        #expect(conflict.status != 0 && conflict.stderr.contains("pad"), "\(conflict)")
    }
}
