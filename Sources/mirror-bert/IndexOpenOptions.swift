// --index with --ef-search / --nprobe: how `search` and `serve` open an index file, exact or
// FAISS (Search/SearchIndex.swift).

import ArgumentParser
import Foundation
import Search

struct IndexOpenOptions: ParsableArguments {
    @Option(help: ArgumentHelp("HNSW candidates per query for a FAISS HNSW index (FAISS default 16).",
                               discussion: "Higher: better recall, slower queries."))
    var efSearch: Int?

    @Option(help: ArgumentHelp("Inverted lists scanned per query for a FAISS IVF index (FAISS default 1).",
                               discussion: "Higher: better recall, slower queries."))
    var nprobe: Int?

    func validate() throws {
        if let efSearch, efSearch < 1 { throw ValidationError("--ef-search must be at least 1") }
        if let nprobe, nprobe < 1 { throw ValidationError("--nprobe must be at least 1") }
    }

    /// The index at `path`: a mirror-bert index file, or a FAISS file with its sidecar.
    func open(_ path: String) throws -> any SearchIndex {
        try SearchIndexFile.open(URL(fileURLWithPath: path), efSearch: efSearch, nprobe: nprobe)
    }
}
