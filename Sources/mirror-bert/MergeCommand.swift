// mirror-bert merge: joins the shards `encode --shard` or `index --shard` wrote (Search/Shards.swift)
// into one file.

import ArgumentParser
import Foundation
import Search

struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Join the shards of `encode --shard I/N --output FILE` or `index --shard I/N --output FILE` into FILE.",
        discussion: "Finds FILE-0000I-of-0000N.EXT and their manifests beside FILE, checks that they come from the same model, options and input, cover every line once in order and match their checksums, then writes FILE atomically (.npy as one array; .jsonl and .tsv concatenated; index shards as one index, or with --faiss one FAISS index and its sidecar). The shards are left in place.")

    @Option(help: "The output the shards were made for (encode: .npy, .jsonl or .tsv; index: the index file).")
    var output: String

    @Option(help: "The number of shards, when runs with different counts left shards beside the output.")
    var shards: Int?

    @Option(help: "Index shards only: write a FAISS index made by this index-factory string (HNSW32, IVF1024,Flat, …).")
    var faiss: String?

    func validate() throws {
        if let shards, shards < 1 { throw ValidationError("--shards must be at least 1") }
        if let faiss, faiss.isEmpty || faiss.utf8.count > 256 { throw ValidationError("--faiss must be an index-factory string (1…256 characters)") }
    }

    func run() throws {
        let url = URL(fileURLWithPath: output)
        let manifests = try ShardMerge.manifests(for: url, count: shards)
        let lines = manifests.last?.input_lines ?? 0
        if manifests.first?.isIndex == true {
            let (index, dropped) = try ShardMerge.mergeIndexes(manifests, output: url)
            guard index.count > 0 else { throw ValidationError("the \(manifests.count) shards of \(output) hold no texts (every line is blank)") }
            var note = "merged \(manifests.count) index shards (\(lines) lines, \(index.count) texts"
                + (dropped > 0 ? ", \(dropped) duplicates of earlier shards dropped" : "") + ") → \(output)"
            if let faiss {
                let start = Date()
                try IndexBuilder.faiss(index, factory: faiss, path: url.path).write(to: url)
                note += " (FAISS \(faiss), built in \(String(format: "%.2f", Date().timeIntervalSince(start))) s; sidecar \(FaissSidecar.url(for: url).lastPathComponent))"
            } else {
                try index.write(to: url)
            }
            Console.note(note)
            return
        }
        guard faiss == nil else { throw ValidationError("--faiss merges index shards; the shards of \(output) are encode's") }
        _ = try OutputFormat(path: output)
        try ShardMerge.merge(manifests, into: url)
        Console.note("merged \(manifests.count) shards (\(manifests.reduce(0) { $0 + $1.rows }) rows) → \(output)")
    }
}
