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

    @OptionGroup var embedding: EmbeddingOptions

    func run() throws {
        let format = try OutputFormat(path: output)
        let inputURL = URL(fileURLWithPath: input)
        // Pass 1 (constant memory): every line valid, and the row count the .npy header needs.
        let census = try TextLines.census(inputURL)
        guard census.lines > 0 else { throw FileIOError.empty(path: inputURL.path) }
        let ckpt = try modelOptions.load()
        let resolved = try embedding.resolve(.folder(ckpt.settings), modelLimit: ckpt.config.maxSequenceLength)
        resolved.announce("encode")
        let options = resolved.options
        let embedder = try Embedder(ckpt, options: options)
        let H = embedder.dimension
        // Pass 2: a chunk of lines at a time (sorted by length inside the chunk, so batches pad
        // little), embedded and written before the next chunk is read.
        let chunk = Self.chunkLines(batchSize: options.batchSize)
        let vectors = FloatBuffer(count: chunk * H)
        let progress = Progress("encode", total: census.lines)
        let start = Date()
        let reader = try LineReader(url: inputURL)
        var done = 0
        try format.write(rows: census.lines, columns: H, to: URL(fileURLWithPath: output)) { emit in
            while true {
                let lines = try reader.next(chunk)
                if lines.isEmpty { break }
                try embedder.embed(lines, into: vectors.pointer) { k, _ in progress.update(done + k) }
                try emit(UnsafeBufferPointer(start: vectors.pointer, count: lines.count * H))
                done += lines.count
            }
        }
        progress.finish()
        let seconds = Date().timeIntervalSince(start)
        var summary = "encoded \(census.lines) lines in \(String(format: "%.2f", seconds)) s (\(String(format: "%.1f", Double(census.lines) / max(seconds, 1e-9))) lines/s) → \(output)"
        if census.blankLines > 0 { summary += "; \(census.blankLines) blank lines embedded as the empty string" }
        if embedder.truncatedCount > 0 {
            summary += "; \(embedder.truncatedCount) lines truncated to \(options.maxLength) tokens"
        }
        Console.note(summary)
    }

    /// Lines embedded per chunk: 16 batches (memory is bounded by this, not by the file).
    static func chunkLines(batchSize: Int) -> Int { max(1, min(batchSize, 1 << 16)) * 16 }
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

    /// Writes a rows × columns matrix to `url` atomically; `fill` emits consecutive blocks of
    /// whole rows (as `NPY.write` takes them), so no format holds the matrix.
    func write(rows: Int, columns: Int, to url: URL,
               _ fill: (_ emitRows: (UnsafeBufferPointer<Float>) throws -> Void) throws -> Void) throws {
        switch self {
        case .npy:
            try NPY.write(rows: rows, columns: columns, to: url, fill)
        case .jsonl, .tsv:
            try AtomicFile.write(to: url) { fd, path in
                var text = ""
                func flush() throws {
                    try Data(text.utf8).withUnsafeBytes { try AtomicFile.writeAll(fd: fd, $0, path: path) }
                    text = ""
                }
                var written = 0
                try fill { block in
                    precondition(columns > 0 && block.count % columns == 0, "whole rows")
                    for r in 0..<(block.count / columns) {
                        let row = UnsafeBufferPointer(rebasing: block[(r * columns)..<((r + 1) * columns)])
                        text += self == .jsonl
                            ? "[" + row.map { "\($0)" }.joined(separator: ", ") + "]\n"
                            : row.map { "\($0)" }.joined(separator: "\t") + "\n"
                        if text.utf8.count > 1 << 20 { try flush() }
                    }
                    written += block.count / columns
                }
                try flush()
                guard written == rows else { throw NPYError.rowCountMismatch(path: path, expected: rows, actual: written) }
            }
        }
    }
}
