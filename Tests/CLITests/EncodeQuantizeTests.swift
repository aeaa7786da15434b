// `encode --quantize` and `--truncate-dim` on a tiny model: the output equals the library's
// quantization (itself checked byte for byte against sentence-transformers in ModelsTests) of
// `encode`'s float output, with ranges from the float embeddings of the calibration file; the .npy
// header has the matching dtype and shape; truncation equals cutting (and renormalizing) the float
// output; bad flag combinations are refused before any output is written.

import FileIO
import Foundation
import Models
import Testing
import TestSupport

struct EncodeQuantizeTests {
    /// 40 input lines and 23 calibration lines, with a blank line in each; --batch-size 1 makes
    /// chunks of 16 lines, so both files stream in several chunks.
    static func lines(_ n: Int, seed: Int) -> [String] {
        let words = ["a", "man", "plays", "the", "guitar", "cat", "sat", "on", "mat", "dogs", "run", "in", "park",
                     "rain", "falls", "city", "river", "music", "loud", "quiet"]
        return (0..<n).map { i in
            if i == 7 { return "" }
            return (0..<(3 + (i * 7 + seed) % 9)).map { words[(i * 13 + $0 * 5 + seed) % words.count] }.joined(separator: " ")
        }
    }

    struct Setup {
        let tmp: TemporaryDirectory
        let model: URL, input: URL, calibration: URL
        let rows = 40
        func cleanup() { tmp.cleanup() }

        /// Runs encode with `extra` flags into `name`; returns the output's URL.
        func encode(_ name: String, _ extra: [String], calibrationAsInput: Bool = false) throws -> (URL, CommandResult) {
            let out = tmp.file(name)
            let r = try MirrorBERTExecutable.run(["encode", "--model", model.path, "--input", (calibrationAsInput ? calibration : input).path,
                                                  "--output", out.path, "--batch-size", "1"] + extra)
            return (out, r)
        }
    }

    func setUp() throws -> Setup {
        let tmp = try TemporaryDirectory()
        let model = tmp.file("tiny")
        try TinyModelFactory.make(at: model, tokenizerFrom: TestPaths.fixture("tokenizers/tiny-uncased"), vocabSize: 276)
        let input = tmp.file("in.txt"), calibration = tmp.file("calibration.txt")
        try Data((Self.lines(40, seed: 0).joined(separator: "\n") + "\n").utf8).write(to: input)
        try Data((Self.lines(23, seed: 3).joined(separator: "\n") + "\n").utf8).write(to: calibration)
        return Setup(tmp: tmp, model: model, input: input, calibration: calibration)
    }

    /// The library's quantization of float rows x (rows, d) with ranges from c (·, d), as integers.
    func quantize(_ x: [Float], dimension d: Int, _ p: QuantizationPrecision, calibration c: [Float]) throws -> [Int] {
        var r = QuantizationRanges(dimension: d)
        try r.include(c, count: c.count / d)
        let q = try EmbeddingQuantizer(precision: p, dimension: d, ranges: p.needsRanges ? r : nil)
        let rows = x.count / d
        if p.isSigned {
            var out = [Int8](repeating: 0, count: rows * q.columns)
            try q.quantize(x, rows: rows, into: &out)
            return out.map(Int.init)
        }
        var out = [UInt8](repeating: 0, count: rows * q.columns)
        try q.quantize(x, rows: rows, into: &out)
        return out.map(Int.init)
    }

    /// The integers of a quantized output file, with its shape for .npy.
    func read(_ url: URL, _ p: QuantizationPrecision) throws -> (shape: [Int]?, values: [Int]) {
        switch url.pathExtension {
        case "npy":
            if p.isSigned { let (s, v) = try NPY.read(url, as: Int8.self); return (s, v.map(Int.init)) }
            let (s, v) = try NPY.read(url, as: UInt8.self)
            return (s, v.map(Int.init))
        case "jsonl":
            let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
            return (nil, try lines.flatMap { try JSONDecoder().decode([Int].self, from: Data($0.utf8)) })
        default:
            let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
            return (nil, try lines.flatMap { try $0.split(separator: "\t").map { try #require(Int(String($0))) } })
        }
    }

    @Test(arguments: [
        (QuantizationPrecision.int8, "npy", [String]()), (.uint8, "npy", ["--normalize"]),
        (.int8, "jsonl", ["--truncate-dim", "20", "--normalize"]), (.uint8, "tsv", ["--truncate-dim", "20"]),
        (.binary, "npy", ["--truncate-dim", "13"]), (.ubinary, "tsv", ["--truncate-dim", "20", "--normalize"]),
    ])
    func quantizedOutputEqualsTheLibraryOnFloatOutput(precision p: QuantizationPrecision, ext: String, flags: [String]) throws {
        let s = try setUp(); defer { s.cleanup() }
        let d = flags.firstIndex(of: "--truncate-dim").map { Int(flags[$0 + 1])! } ?? 32
        let (floatURL, fr) = try s.encode("float.npy", flags)
        #expect(fr.status == 0, "\(fr)")
        let (calURL, cr) = try s.encode("calibration.npy", flags, calibrationAsInput: true)
        #expect(cr.status == 0, "\(cr)")
        let x = try NPY.read(floatURL), c = try NPY.read(calURL)
        #expect(x.shape == [s.rows, d] && c.shape == [23, d])

        let calibrationFlags = p.needsRanges ? ["--calibration", s.calibration.path] : []
        let (out, r) = try s.encode("q.\(ext)", flags + ["--quantize", p.rawValue] + calibrationFlags)
        #expect(r.status == 0, "\(r)")
        #expect(r.stderr.contains("quantized to \(p.rawValue)"), "\(r)")
        let ours = try read(out, p)
        let expected = try quantize(x.data, dimension: d, p, calibration: c.data)
        #expect(ours.values == expected, "\(p.rawValue) \(ext) \(flags)")
        if ext == "npy" {
            #expect(ours.shape == [s.rows, p.columns(dimension: d)])
            let header = String(decoding: try Data(contentsOf: out).prefix(128), as: UTF8.self)
            #expect(header.contains("{'descr': '\(p.isSigned ? "|i1" : "|u1")', 'fortran_order': False, 'shape': (\(s.rows), \(p.columns(dimension: d))), }"),
                    "\(header)")
        }
    }

    @Test func truncationEqualsCuttingTheFloatOutput() throws {
        let s = try setUp(); defer { s.cleanup() }
        for normalize in ["--no-normalize", "--normalize"] {
            let (fullURL, fr) = try s.encode("full.npy", [normalize])
            #expect(fr.status == 0, "\(fr)")
            let (cutURL, r) = try s.encode("cut.npy", [normalize, "--truncate-dim", "20"])
            #expect(r.status == 0, "\(r)")
            let full = try NPY.read(fullURL), cut = try NPY.read(cutURL)
            #expect(full.shape == [s.rows, 32] && cut.shape == [s.rows, 20])
            var expected = (0..<s.rows).flatMap { full.data[($0 * 32)..<($0 * 32 + 20)] }
            if normalize == "--normalize" {
                Pooling.normalize(&expected, rows: s.rows, columns: 20)
                for i in 0..<s.rows {
                    let norm = (0..<20).reduce(0.0) { $0 + Double(cut.data[i * 20 + $1] * cut.data[i * 20 + $1]) }.squareRoot()
                    #expect(abs(norm - 1) < 1e-6, "row \(i) has norm \(norm)")
                }
            }
            let c = closeness("truncate-dim 20 \(normalize)", cut.data, expected, atol: 1e-6, rtol: 0)
            #expect(c.ok, "\(c)")
            // --truncate-dim at the full width is the plain output.
            let (sameURL, sr) = try s.encode("same.npy", [normalize, "--truncate-dim", "32"])
            #expect(sr.status == 0, "\(sr)")
            #expect(try NPY.read(sameURL).data == full.data)
        }
    }

    @Test func badCombinationsAreRefusedWithoutOutput() throws {
        let s = try setUp(); defer { s.cleanup() }
        let empty = s.tmp.file("empty.txt")
        try Data().write(to: empty)
        let cases: [([String], String)] = [
            (["--quantize", "int8"], "--quantize int8 needs --calibration FILE"),
            (["--quantize", "uint8"], "ranges must be known before the output is streamed"),
            (["--quantize", "binary", "--calibration", s.calibration.path], "--calibration is for --quantize int8 or uint8"),
            (["--calibration", s.calibration.path], "--calibration needs --quantize int8 or uint8"),
            (["--quantize", "int4"], "int4"),
            (["--truncate-dim", "0"], "--truncate-dim must be at least 1 (got 0)"),
            (["--truncate-dim", "33"], "--truncate-dim 33 exceeds the model's 32 dimensions"),
            (["--quantize", "int8", "--calibration", empty.path], "\(empty.path): file is empty"),
            (["--quantize", "uint8", "--calibration", s.tmp.file("missing.txt").path], "missing.txt"),
        ]
        for (flags, message) in cases {
            let (out, r) = try s.encode("refused.npy", flags)
            #expect(r.status != 0, "\(flags)")
            #expect(r.stderr.contains(message), "\(flags): \(r)")
            #expect(!FileManager.default.fileExists(atPath: out.path), "\(flags) left an output")
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: s.tmp.url.path).filter { $0.hasPrefix(".refused") }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }
}
