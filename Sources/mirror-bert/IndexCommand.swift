// mirror-bert index: embed a corpus (one text per line) into an index file for `search` and `serve`.

import ArgumentParser
import FileIO
import Foundation
import Models
import Search

struct IndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Embed each non-blank line of a text file into a search index (L2-normalized vectors and the texts).",
        discussion: """
            The index records the model (XXH64 of model.safetensors and config.json), pooling and max length; \
            --append, search and serve refuse an index made with another model or options. Blank lines are skipped. \
            The file is written atomically (the format is in the README, "Index a corpus").
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

    @Flag(help: "Skip exact duplicates (of earlier lines, or of texts already in the index with --append).")
    var unique = false

    func run() throws {
        let inputURL = URL(fileURLWithPath: input), outputURL = URL(fileURLWithPath: output)
        let existing = append ? try EmbeddingIndex.read(outputURL) : nil
        // Read a line at a time (the input is never held whole): keep the texts to index.
        var texts: [String] = []
        var blank = 0, duplicates = 0
        var seen = unique ? Set(existing?.texts ?? []) : []
        let reader = try LineReader(url: inputURL)
        while let line = try reader.next() {
            if line.allSatisfy(\.isWhitespace) { blank += 1; continue }
            if unique && !seen.insert(line).inserted { duplicates += 1; continue }
            texts.append(line)
        }
        guard !texts.isEmpty else { throw ValidationError("\(inputURL.path): no \(unique ? "new " : "")non-blank lines to index") }
        let directory = try modelOptions.directory()
        let model = try ModelIdentity.of(directory)
        let resolved = try embedding.resolve(folder: directory, recorded: existing?.header, alwaysNormalize: true)
        let options = resolved.options
        if let existing {  // refuse before loading the weights
            try existing.checkCompatible(model: model, pooling: options.pooling, maxLength: options.maxLength,
                                         path: outputURL.path)
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
        try index.write(to: outputURL)
        var summary = "\(append ? "appended" : "indexed") \(texts.count) texts in \(String(format: "%.2f", seconds)) s"
            + " → \(output) (\(index.count) texts, dimension \(index.dimension), \(options.pooling.rawValue), max length \(options.maxLength))"
        if blank > 0 { summary += "; skipped \(blank) blank lines" }
        if duplicates > 0 { summary += "; skipped \(duplicates) duplicates" }
        if embedder.truncatedCount > 0 { summary += "; \(embedder.truncatedCount) texts truncated to \(options.maxLength) tokens" }
        Console.note(summary)
    }
}
