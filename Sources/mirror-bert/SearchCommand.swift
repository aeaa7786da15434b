// mirror-bert search: exact top-k cosine search of an index for one query, or for each line of stdin.

import ArgumentParser
import FileIO
import Foundation
import Kernels
import Models
import JSON
import Search

struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Find the texts of an index most similar to a query (cosine top-k: exact, or FAISS's).",
        discussion: """
            With no query argument, reads queries from stdin, one per line. Queries are embedded with the index's \
            pooling and max length. Text output: a "# query" line, then one "rank<TAB>score<TAB>text" line per hit; \
            --json: one JSON object per query and line.
            """)

    @Option(help: "Index made by `mirror-bert index` (an index file, or a FAISS file with its sidecar).")
    var index: String

    @OptionGroup var indexOptions: IndexOpenOptions

    @Option(name: .long, help: ArgumentHelp(
        "Checkpoint folder; it must be the model the index was built with.",
        discussion: "Default: the folder recorded in the index when it still exists, else \(defaultModelPath)."))
    var model: String?

    @Option(name: .short, help: "Hits per query.")
    var k: Int = 10

    @Flag(help: "Print one JSON object per query: {\"query\", \"results\": [{\"rank\", \"index\", \"score\", \"text\"}]}.")
    var json = false

    /// Queries are embedded as the index's texts were: its pooling and max length (a flag that
    /// differs is refused).
    @OptionGroup var embedding: EmbeddingOptions

    @Argument(help: "The query (default: one query per line of stdin).")
    var query: String?

    func validate() throws {
        guard k >= 1 else { throw ValidationError("-k must be at least 1") }
    }

    func run() throws {
        let indexURL = URL(fileURLWithPath: index)
        let embedded = try indexOptions.open(index)
        let header = embedded.header
        let directory = try modelDirectory(recorded: header.model.path)
        let identity = try ModelIdentity.of(directory)
        let resolved = try embedding.resolve(folder: directory, recorded: header, alwaysNormalize: true)
        try header.checkCompatible(model: identity, pooling: resolved.options.pooling, maxLength: resolved.options.maxLength,
                                   path: indexURL.path)
        let queries: [String]
        if let query {
            queries = [query]
        } else {
            let data = FileHandle.standardInput.readDataToEndOfFile()
            queries = try data.withUnsafeBytes { try TextLines.split($0, path: "<stdin>") }.filter { !$0.isEmpty }
            guard !queries.isEmpty else { throw ValidationError("no query given (argument or stdin lines)") }
        }
        let embedder = try Embedder(try Checkpoint.load(directory), options: resolved.options)
        let vectors = FloatBuffer(count: queries.count * embedder.dimension)
        try embedder.embed(queries, into: vectors.pointer)
        let hits = try embedded.search(vectors.pointer, queryCount: queries.count, k: k)
        var out = ""
        for (q, query) in queries.enumerated() {
            if json {
                var w = JSONWriter()
                w.raw("{"); w.key("query"); w.string(query); w.raw(","); w.key("results"); w.raw("[")
                for (rank, hit) in hits[q].enumerated() {
                    w.raw(rank == 0 ? "{" : ",{")
                    w.key("rank"); w.int(rank + 1); w.raw(",")
                    w.key("index"); w.int(hit.index); w.raw(",")
                    w.key("score"); w.double(hit.score); w.raw(",")
                    w.key("text"); w.string(embedded.texts[hit.index]); w.raw("}")
                }
                w.raw("]}\n")
                out += w.text
            } else {
                if q > 0 { out += "\n" }
                out += "# \(query)\n"
                for (rank, hit) in hits[q].enumerated() {
                    out += "\(rank + 1)\t\(String(format: "%.4f", hit.score))\t\(embedded.texts[hit.index])\n"
                }
            }
            if out.utf8.count > 1 << 16 { FileHandle.standardOutput.write(Data(out.utf8)); out = "" }
        }
        FileHandle.standardOutput.write(Data(out.utf8))
    }

    /// --model, else the folder the index records if it exists, else the default model.
    func modelDirectory(recorded: String) throws -> URL {
        if let model { return URL(fileURLWithPath: model) }
        if FileManager.default.fileExists(atPath: recorded) { return URL(fileURLWithPath: recorded) }
        if FileManager.default.fileExists(atPath: defaultModelPath) { return URL(fileURLWithPath: defaultModelPath) }
        throw ValidationError("no --model given, and neither the index's model folder \(recorded) nor \(defaultModelPath) exists")
    }
}
