// mirror-bert encode: one embedding per input line, written as .npy, .jsonl or .tsv.

import ArgumentParser
import FileIO
import Foundation
import Kernels
import Models

struct EncodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Embed each line of a text file (blank lines embed the empty string).",
        discussion: "The output format follows the extension: .npy (float32 [lines, hidden]), .jsonl (one JSON array per line) or .tsv.")

    @OptionGroup var modelOptions: ModelOptions

    @Option(help: "Text file, one text per line (UTF-8).")
    var input: String

    @Option(help: "Output file: .npy, .jsonl or .tsv (written atomically).")
    var output: String

    @Option(help: "cls | mean (all positions, padding included, padded to --max-length) | mean-masked.")
    var pooling: Pooling = .meanMasked

    @Option(help: "Truncate texts to this many tokens (special tokens included).")
    var maxLength: Int = 128

    @Option(help: "Texts per forward pass.")
    var batchSize: Int = 64

    @Flag(help: "L2-normalize each embedding.")
    var normalize = false

    func run() throws {
        let format = try OutputFormat(path: output)
        let inputURL = URL(fileURLWithPath: input)
        let lines = try TextLines.read(inputURL)
        guard !lines.isEmpty else { throw FileIOError.empty(path: inputURL.path) }
        let ckpt = try modelOptions.load()
        let embedder = try Embedder(ckpt, options: EmbedOptions(pooling: pooling, maxLength: maxLength,
                                                                batchSize: batchSize, normalize: normalize))
        let H = embedder.dimension
        let vectors = FloatBuffer(count: lines.count * H)
        let progress = Progress("encode", total: lines.count)
        let start = Date()
        try embedder.embed(lines, into: vectors.pointer) { done, _ in progress.update(done) }
        progress.finish()
        let seconds = Date().timeIntervalSince(start)
        try format.write(vectors, rows: lines.count, columns: H, to: URL(fileURLWithPath: output))
        var summary = "encoded \(lines.count) lines in \(String(format: "%.2f", seconds)) s (\(String(format: "%.1f", Double(lines.count) / max(seconds, 1e-9))) lines/s) → \(output)"
        if embedder.truncatedCount > 0 {
            summary += "; \(embedder.truncatedCount) lines truncated to \(maxLength) tokens"
        }
        Console.note(summary)
    }
}

enum OutputFormat {
    case npy, jsonl, tsv

    init(path: String) throws {
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "npy": self = .npy
        case "jsonl": self = .jsonl
        case "tsv": self = .tsv
        default: throw ValidationError("--output must end in .npy, .jsonl or .tsv (got \(path))")
        }
    }

    func write(_ m: FloatBuffer, rows: Int, columns: Int, to url: URL) throws {
        switch self {
        case .npy:
            try NPY.write(rows: rows, columns: columns, to: url) { emit in
                try emit(UnsafeBufferPointer(start: m.pointer, count: rows * columns))
            }
        case .jsonl, .tsv:
            try AtomicFile.write(to: url) { fd, path in
                var text = ""
                for r in 0..<rows {
                    let row = UnsafeBufferPointer(start: m.pointer + r * columns, count: columns)
                    text += self == .jsonl
                        ? "[" + row.map { "\($0)" }.joined(separator: ", ") + "]\n"
                        : row.map { "\($0)" }.joined(separator: "\t") + "\n"
                    if text.utf8.count > 1 << 20 || r == rows - 1 {
                        try Data(text.utf8).withUnsafeBytes { try AtomicFile.writeAll(fd: fd, $0, path: path) }
                        text = ""
                    }
                }
            }
        }
    }
}
