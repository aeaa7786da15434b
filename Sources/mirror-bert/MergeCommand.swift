// mirror-bert merge: joins the shards `encode --shard` wrote (Search/Shards.swift) into one file.

import ArgumentParser
import Foundation
import Search

struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Join the shards of `encode --shard I/N --output FILE` into FILE.",
        discussion: "Finds FILE-0000I-of-0000N.EXT and their manifests beside FILE, checks that they come from the same model, options and input, cover every line once in order and match their checksums, then writes FILE atomically (.npy as one array; .jsonl and .tsv concatenated). The shards are left in place.")

    @Option(help: "The output the shards were encoded for (.npy, .jsonl or .tsv).")
    var output: String

    @Option(help: "The number of shards, when runs with different counts left shards beside the output.")
    var shards: Int?

    func validate() throws {
        _ = try OutputFormat(path: output)
        if let shards, shards < 1 { throw ValidationError("--shards must be at least 1") }
    }

    func run() throws {
        let url = URL(fileURLWithPath: output)
        let manifests = try ShardMerge.manifests(for: url, count: shards)
        try ShardMerge.merge(manifests, into: url)
        let rows = manifests.reduce(0) { $0 + $1.rows }
        Console.note("merged \(manifests.count) shards (\(rows) rows) → \(output)")
    }
}
