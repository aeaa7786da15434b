// What `search` and `serve --index` query: an exact index (EmbeddingIndex, our file format) or a
// FAISS index with its sidecar (FaissIndex). `SearchIndexFile.open` tells them apart by the
// file's first bytes.

import FileIO
import Foundation

public protocol SearchIndex: AnyObject, Sendable {
    /// Model, pooling, max length, dimension and count of the vectors.
    var header: IndexHeader { get }
    /// Row i's text.
    var texts: [String] { get }
    /// The `k` best rows for each of `queryCount` unit vectors at `queries` (queryCount, dimension), best first.
    func search(_ queries: UnsafePointer<Float>, queryCount: Int, k: Int) throws -> [[SearchHit]]
}

extension EmbeddingIndex: SearchIndex {}
extension FaissIndex: SearchIndex {}

extension SearchIndex {
    public var count: Int { header.count }
    public var dimension: Int { header.dimension }
}

public enum SearchIndexFile {
    /// Opens `url`: an index file (magic "MBRTINDX") or a FAISS file with its sidecar, with
    /// --ef-search / --nprobe applied (refused, with the reason, where the index has no such knob).
    public static func open(_ url: URL, efSearch: Int? = nil, nprobe: Int? = nil) throws -> any SearchIndex {
        if try isIndexFile(url) {
            if efSearch != nil || nprobe != nil {
                throw SearchError.invalidInput("\(url.path): --ef-search and --nprobe apply to FAISS indexes "
                                               + "(`mirror-bert index --faiss`); this is an exact index")
            }
            return try EmbeddingIndex.read(url)
        }
        let index = try FaissIndex.read(url)
        try index.setSearchParameters(efSearch: efSearch, nprobe: nprobe, path: url.path)
        return index
    }

    /// True if the file starts with the index file's magic.
    static func isIndexFile(_ url: URL) throws -> Bool {
        guard FileManager.default.fileExists(atPath: url.path) else { throw FileIOError.notFound(path: url.path) }
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw FileIOError.cannotOpen(path: url.path, reason: "cannot open it for reading")
        }
        defer { try? handle.close() }
        let prefix = (try? handle.read(upToCount: IndexFile.magic.count)) ?? Data()
        return prefix.elementsEqual(IndexFile.magic)
    }
}
