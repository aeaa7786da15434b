// mirror-bert index: embed a corpus (one text per line) into an index file for `search` and `serve`.

import ArgumentParser
import FileIO
import Foundation
import Kernels
import Models
import Search

struct IndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Embed each non-blank line of a text file into a search index (L2-normalized vectors and the texts).",
        discussion: """
            The index records the model (XXH64 of model.safetensors and config.json), pooling and max length; \
            --append, search and serve refuse an index made with another model or options. Blank lines are skipped. \
            The file is written atomically (the format is in the README, "Index a corpus"). With --faiss FACTORY the \
            output is a FAISS index (readable by Python's faiss.read_index) with the texts and model in a sidecar, \
            OUTPUT.mirror-bert. With --shard I/N, one piece of the lines goes into OUTPUT-0000I-of-0000N and a \
            manifest; `mirror-bert merge --output OUTPUT [--faiss FACTORY]` joins the pieces.
            """)

    @OptionGroup var modelOptions: ModelOptions

    @Option(help: "Text file, one text per line (UTF-8).")
    var input: String

    @Option(help: "Index file to write (or to extend with --append).")
    var output: String

    /// With --append, the index's pooling and max length come before the folder's.
    @OptionGroup var embedding: EmbeddingOptions

    @Flag(help: "Add the lines to an existing index built with the same model, pooling and max length.")
    var append = false

    @Flag(help: "Skip exact duplicates (of earlier lines, or of texts already in the index with --append; with --shard, merge drops those of earlier shards).")
    var unique = false

    @Option(help: ArgumentHelp(
        "Write a FAISS index made by this index-factory string instead (Flat, HNSW32, IVF1024,Flat, IVF1024,PQ32, …).",
        discussion: "Inner product on the normalized vectors (cosine). Indexes that need training (IVF, PQ) train on an evenly spaced sample of at most 262144 vectors. The texts and the model identity go to OUTPUT.mirror-bert beside it, with the FAISS file's checksum."))
    var faiss: String?

    @OptionGroup var sharding: ShardOptions

    func validate() throws {
        if faiss != nil && append { throw ValidationError("--append extends mirror-bert index files; rebuild a FAISS index instead") }
        if sharding.shard != nil && append { throw ValidationError("--append and --shard do not go together") }
        if sharding.shard != nil && faiss != nil {
            throw ValidationError("--faiss with --shard: build the shards without --faiss, then `mirror-bert merge --output \(output) --faiss FACTORY` builds one FAISS index of them all")
        }
        if let faiss, faiss.isEmpty || faiss.utf8.count > 256 { throw ValidationError("--faiss must be an index-factory string (1…256 characters)") }
    }

    func run() throws {
        let inputURL = URL(fileURLWithPath: input), outputURL = URL(fileURLWithPath: output)
        let existing = append ? try EmbeddingIndex.read(outputURL) : nil
        let directory = try modelOptions.directory()
        let model = try ModelIdentity.of(directory)
        let resolved = try embedding.resolve(folder: directory, recorded: existing?.header, alwaysNormalize: true)
        let options = resolved.options
        if let existing {  // refuse before loading the weights
            try existing.checkCompatible(model: model, pooling: options.pooling, maxLength: options.maxLength,
                                         path: outputURL.path)
        }
        // With --shard: the lines of this shard (as encode's, whole chunks) into its own file.
        var part: (shard: Shard, inputLines: Int, range: Range<Int>)?
        if let shard = try sharding.resolve() {
            let lines = try TextLines.census(inputURL).lines
            part = (shard, lines, shard.lines(of: lines, chunk: EncodeCommand.chunkLines(batchSize: options.batchSize)))
        }
        let url = part?.shard.file(for: outputURL) ?? outputURL
        // Read a line at a time (the input is never held whole): keep the texts to index.
        var texts: [String] = []
        var blank = 0, duplicates = 0, lineNumber = 0
        var seen = unique ? Set(existing?.texts ?? []) : []
        let reader = try LineReader(url: inputURL)
        while let line = try reader.next() {
            defer { lineNumber += 1 }
            if let range = part?.range, !range.contains(lineNumber) {
                if lineNumber >= range.upperBound { break }
                continue
            }
            if line.allSatisfy(\.isWhitespace) { blank += 1; continue }
            if unique && !seen.insert(line).inserted { duplicates += 1; continue }
            texts.append(line)
        }
        var work: ShardManifest?
        if case let (shard, inputLines, range)? = part {
            let description = "index pooling=\(options.pooling.rawValue) max_length=\(options.maxLength) "
                + "precision=\(resolved.precision.rawValue) batch_size=\(options.batchSize) "
                + "max_batch_tokens=\(options.maxBatchTokens.map(String.init) ?? "none") unique=\(unique)"
            let inputBytes = (try FileManager.default.attributesOfItem(atPath: inputURL.path)[.size] as? Int) ?? 0
            let w = ShardManifest(shard: shard, inputLines: inputLines, inputBytes: inputBytes, lines: range, model: model,
                                  options: description, threads: Parallel.threads, kind: .index(rows: texts.count, unique: unique))
            if ShardManifest.isComplete(url, work: w) {
                Console.note("shard \(shard): \(url.path) is complete (its manifest and checksum match); nothing to do")
                return
            }
            work = w
            try? FileManager.default.removeItem(at: ShardManifest.url(for: url))
        } else {
            guard !texts.isEmpty else { throw ValidationError("\(inputURL.path): no \(unique ? "new " : "")non-blank lines to index") }
        }
        resolved.announce("index")
        let embedder = try Embedder(try Checkpoint.load(directory), options: options)
        let progress = Progress("index", total: texts.count)
        let start = Date()
        let index: EmbeddingIndex
        if let existing {
            index = try IndexBuilder.append(texts, to: existing, path: outputURL.path, embedder: embedder, model: model) { done, _ in
                progress.update(done)
            }
        } else {
            index = try IndexBuilder.build(texts, embedder: embedder, model: model) { done, _ in progress.update(done) }
        }
        progress.finish()
        let seconds = Date().timeIntervalSince(start)
        var kind = ""
        if let faiss {
            let built = Date()
            try IndexBuilder.faiss(index, factory: faiss, path: url.path).write(to: url)
            kind = ", FAISS \(faiss) built in \(String(format: "%.2f", Date().timeIntervalSince(built))) s, sidecar \(FaissSidecar.url(for: url).lastPathComponent)"
        } else {
            try index.write(to: url)
        }
        if let work { try work.describing(url).write(to: ShardManifest.url(for: url)) }
        var summary = "\(append ? "appended" : "indexed") \(texts.count) texts in \(String(format: "%.2f", seconds)) s"
            + " → \(url.path) (\(index.count) texts, dimension \(index.dimension), \(options.pooling.rawValue), max length \(options.maxLength)\(kind))"
        if case let (shard, inputLines, range)? = part {
            summary += " (shard \(shard): lines \(range.lowerBound + 1)…\(range.upperBound) of \(inputLines); manifest beside it)"
        }
        if blank > 0 { summary += "; skipped \(blank) blank lines" }
        if duplicates > 0 { summary += "; skipped \(duplicates) duplicates" }
        if embedder.truncatedCount > 0 { summary += "; \(embedder.truncatedCount) texts truncated to \(options.maxLength) tokens" }
        Console.note(summary)
    }
}
