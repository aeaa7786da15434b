// `mirror-bert encode` and `tokenize` end to end on all-MiniLM-L6-v2: the three output formats
// agree with each other and with the library's Embedder.

import FileIO
import Foundation
import Models
import Testing
import TestSupport

@Suite(.enabled(if: TestPaths.exists(TestPaths.miniLM), "run Scripts/setup.sh to fetch all-MiniLM-L6-v2"))
struct EncodeTests {
    let texts = ["A man is playing a guitar.", "", "Ünïcödé — 中文 😀", "The [MASK] sat on the mat."]

    @Test func outputFormatsAgreeWithTheLibrary() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        let input = tmp.file("in.txt")
        try Data((texts.joined(separator: "\n") + "\n").utf8).write(to: input)
        var outputs: [String: [[Float]]] = [:]
        for ext in ["npy", "jsonl", "tsv"] {
            let out = tmp.file("out.\(ext)")
            let r = try MirrorBERTExecutable.run(["encode", "--model", TestPaths.miniLM.path, "--input", input.path,
                                                  "--output", out.path, "--normalize", "--batch-size", "3"])
            #expect(r.status == 0, "\(r)")
            switch ext {
            case "npy":
                let (shape, data) = try NPY.read(out)
                #expect(shape == [texts.count, 384])
                outputs[ext] = (0..<shape[0]).map { Array(data[($0 * 384)..<(($0 + 1) * 384)]) }
            case "jsonl":
                let lines = try String(contentsOf: out, encoding: .utf8).split(separator: "\n")
                outputs[ext] = try lines.map { try JSONDecoder().decode([Float].self, from: Data($0.utf8)) }
            default:
                let lines = try String(contentsOf: out, encoding: .utf8).split(separator: "\n")
                outputs[ext] = lines.map { $0.split(separator: "\t").map { Float(String($0))! } }
            }
        }
        let embedder = try Embedder(try Checkpoint.load(TestPaths.miniLM), options: EmbedOptions(batchSize: 3, normalize: true,
                                                                                                    precision: commandLinePrecision))
        let expected = try embedder.embed(texts)
        for (ext, rows) in outputs {
            #expect(rows == expected, "\(ext) output must equal the library's embeddings exactly")
        }
        // Another batch size pads differently; padding-independent pooling agrees to rounding.
        let other = try Embedder(try Checkpoint.load(TestPaths.miniLM), options: EmbedOptions(batchSize: 64, normalize: true, precision: commandLinePrecision))
        let c = closeness("batch size 64 vs 3", try other.embed(texts).flatMap { $0 }, expected.flatMap { $0 }, atol: 1e-6, rtol: 0)
        #expect(c.ok, "\(c)")
    }

    @Test func tokenizePrintsIdsPerLine() throws {
        let r = try MirrorBERTExecutable.run(["tokenize", "--model", TestPaths.miniLM.path, "--max-length", "6"],
                                             stdin: Data("This is an example sentence\n\nhello world".utf8))
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout == "101 2023 2003 2019 2742 102\n101 102\n101 7592 2088 102\n", "\(r)")
    }
}
