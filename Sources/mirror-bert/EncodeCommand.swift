// mirror-bert encode: one embedding per input line, written as .npy, .jsonl or .tsv; optionally
// truncated (--truncate-dim) and quantized (--quantize, --calibration) as sentence-transformers does;
// with --shard, one chunk-aligned piece of the lines and its manifest (Search/Shards.swift).

import ArgumentParser
import FileIO
import Foundation
import Kernels
import Models
import Search

struct EncodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Embed each line of a text file (blank lines embed the empty string).",
        discussion: "The output format follows the extension: .npy (float32 [lines, dimensions]; int8 or uint8 with --quantize), .jsonl (one JSON array per line) or .tsv.")

    @OptionGroup var modelOptions: ModelOptions

    @Option(help: "Text file, one text per line (UTF-8).")
    var input: String

    @Option(help: "Output file: .npy, .jsonl or .tsv (written atomically).")
    var output: String

    @OptionGroup var embedding: EmbeddingOptions

    @OptionGroup var quantizeOptions: QuantizeOptions

    @OptionGroup var sharding: ShardOptions

    func run() throws {
        let format = try OutputFormat(path: output)
        let inputURL = URL(fileURLWithPath: input)
        // Pass 1 (constant memory): every line valid, and the row count the .npy header needs.
        let census = try TextLines.census(inputURL)
        guard census.lines > 0 else { throw FileIOError.empty(path: inputURL.path) }
        let calibrationURL = quantizeOptions.calibration.map { URL(fileURLWithPath: $0) }
        let calibrationLines = try calibrationURL.map { url in
            let lines = try TextLines.census(url).lines
            guard lines > 0 else { throw FileIOError.empty(path: url.path) }
            return lines
        }
        let directory = try modelOptions.directory()
        let ckpt = try Checkpoint.load(directory)
        let resolved = try embedding.resolve(.folder(ckpt.settings), modelLimit: ckpt.config.maxSequenceLength)
        resolved.announce("encode")
        let options = resolved.options
        let H = ckpt.config.hiddenSize
        let D = try quantizeOptions.dimension(hidden: H)
        let chunk = Self.chunkLines(batchSize: options.batchSize)
        // With --shard: this shard's lines, its own output file and the manifest that describes it.
        let shard = try sharding.resolve()
        let range = shard?.lines(of: census.lines, chunk: chunk) ?? 0..<census.lines
        let url = shard?.file(for: URL(fileURLWithPath: output)) ?? URL(fileURLWithPath: output)
        var work: ShardManifest?
        if let shard {
            var description = "pooling=\(options.pooling.rawValue) max_length=\(options.maxLength) normalize=\(options.normalize) "
                + "precision=\(resolved.precision.rawValue) batch_size=\(options.batchSize) "
                + "max_batch_tokens=\(options.maxBatchTokens.map(String.init) ?? "none") chunk_lines=\(chunk) columns=\(D) "
                + "format=\(url.pathExtension)"
            if let q = quantizeOptions.quantize { description += " quantize=\(q.rawValue)" }
            if let calibrationURL { description += " calibration_xxh64=\(try XXH64.file(calibrationURL).xxh64)" }
            let inputBytes = (try FileManager.default.attributesOfItem(atPath: inputURL.path)[.size] as? Int) ?? 0
            let w = ShardManifest(shard: shard, inputLines: census.lines, inputBytes: inputBytes,
                                  lines: range, model: try ModelIdentity.of(directory), options: description,
                                  threads: Parallel.threads)
            if ShardManifest.isComplete(url, work: w) {
                Console.note("shard \(shard): \(url.path) is complete (its manifest and checksum match); nothing to do")
                return
            }
            work = w
            // A manifest from an earlier try no longer describes the output about to be written.
            try? FileManager.default.removeItem(at: ShardManifest.url(for: url))
        }
        // Truncated rows are normalized once, after truncation (normalize(x[:D])).
        var embedOptions = options
        if D < H { embedOptions.normalize = false }
        let embedder = try Embedder(ckpt, options: embedOptions)
        // Pass 2: a chunk of lines at a time (sorted by length inside the chunk, so batches pad
        // little), embedded and written before the next chunk is read.
        let vectors = FloatBuffer(count: chunk * H)
        /// vectors (lines.count, D) ← the embeddings of `lines`, truncated to D (then normalized
        /// when normalized) as sentence-transformers' truncate_dim.
        func embed(_ lines: [String], _ progress: Progress, done: Int) throws {
            try embedder.embed(lines, into: vectors.pointer) { k, _ in progress.update(done + k) }
            if D < H {
                EmbeddingTruncation.truncate(vectors.pointer, rows: lines.count, dimension: H, to: D,
                                             renormalize: options.normalize, into: vectors.pointer)
            }
        }
        var quantizer: EmbeddingQuantizer?
        if let precision = quantizeOptions.quantize {
            var ranges: QuantizationRanges?
            if let calibrationURL, let calibrationLines {
                // quantize_embeddings' calibration_embeddings, reduced to their per-dimension
                // minimum and maximum a chunk at a time.
                var r = QuantizationRanges(dimension: D)
                let reader = try LineReader(url: calibrationURL)
                let progress = Progress("calibrate", total: calibrationLines)
                while true {
                    let lines = try reader.next(chunk)
                    if lines.isEmpty { break }
                    try embed(lines, progress, done: r.rows)
                    try r.include(vectors.pointer, count: lines.count)
                }
                progress.finish()
                ranges = r
            }
            quantizer = try EmbeddingQuantizer(precision: precision, dimension: D, ranges: ranges)
        }
        let truncatedBefore = embedder.truncatedCount  // calibration lines cut to --max-length
        let progress = Progress("encode", total: range.count)
        let start = Date()
        let reader = try LineReader(url: inputURL)
        var skipped = 0  // lines before this shard's (whole chunks, so the rest chunk as a single run would)
        while skipped < range.lowerBound {
            let n = try reader.next(min(chunk, range.lowerBound - skipped)).count
            guard n > 0 else { break }
            skipped += n
        }
        var done = 0
        /// Streams the input through `convert`, which turns the chunk's `rows` embeddings into
        /// the block of (rows, columns) elements to write.
        func stream<E: NPYElement>(_ type: E.Type, columns: Int,
                                   _ convert: (_ rows: Int) throws -> UnsafeBufferPointer<E>) throws {
            try format.write(E.self, rows: range.count, columns: columns, to: url) { emit in
                while done < range.count {
                    let lines = try reader.next(min(chunk, range.count - done))
                    if lines.isEmpty { break }
                    try embed(lines, progress, done: done)
                    try emit(try convert(lines.count))
                    done += lines.count
                }
            }
        }
        switch quantizer {
        case nil:
            try stream(Float.self, columns: D) { UnsafeBufferPointer(start: vectors.pointer, count: $0 * D) }
        case let q? where q.precision.isSigned:
            let bytes = UnsafeMutablePointer<Int8>.allocate(capacity: chunk * q.columns)
            defer { bytes.deallocate() }
            try stream(Int8.self, columns: q.columns) { rows in
                try q.quantize(vectors.pointer, rows: rows, into: bytes)
                return UnsafeBufferPointer(start: bytes, count: rows * q.columns)
            }
        case let q?:
            let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: chunk * q.columns)
            defer { bytes.deallocate() }
            try stream(UInt8.self, columns: q.columns) { rows in
                try q.quantize(vectors.pointer, rows: rows, into: bytes)
                return UnsafeBufferPointer(start: bytes, count: rows * q.columns)
            }
        }
        progress.finish()
        if let work { try work.describing(url).write(to: ShardManifest.url(for: url)) }
        let seconds = Date().timeIntervalSince(start)
        var summary = "encoded \(range.count) lines in \(String(format: "%.2f", seconds)) s (\(String(format: "%.1f", Double(range.count) / max(seconds, 1e-9))) lines/s) → \(url.path)"
        if let shard { summary += " (shard \(shard): lines \(range.lowerBound + 1)…\(range.upperBound) of \(census.lines); manifest beside it)" }
        if D < H { summary += "; truncated to \(D) of \(H) dimensions\(options.normalize ? ", then normalized" : "")" }
        if let quantizer {
            summary += "; quantized to \(quantizer.precision.rawValue)"
            if let calibrationLines { summary += " (ranges from \(calibrationLines) calibration lines)" }
        }
        if census.blankLines > 0 { summary += "; \(census.blankLines) blank lines embedded as the empty string" }
        if embedder.truncatedCount > truncatedBefore {
            summary += "; \(embedder.truncatedCount - truncatedBefore) lines truncated to \(options.maxLength) tokens"
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
    /// whole rows (as `NPY.write` takes them), so no format holds the matrix. .npy stores the
    /// element type (float32, int8, uint8); .jsonl and .tsv print each value (integers for bytes).
    func write<E: NPYElement>(_ element: E.Type, rows: Int, columns: Int, to url: URL,
                              _ fill: (_ emitRows: (UnsafeBufferPointer<E>) throws -> Void) throws -> Void) throws {
        switch self {
        case .npy:
            try NPY.write(E.self, rows: rows, columns: columns, to: url, fill)
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
