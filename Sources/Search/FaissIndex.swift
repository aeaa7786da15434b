// A FAISS index (Debian's libfaiss, through the CFaiss bridge) with its sidecar (FaissSidecar):
// approximate or exact inner-product search over unit vectors, i.e. cosine similarity.
//   build:  index_factory(D, factory, METRIC_INNER_PRODUCT); indexes that need training (IVF, PQ)
//           train on an evenly spaced sample of at most `trainingSample` rows (k-means sees at most
//           256 rows per centroid anyway); then every row is added, ids = row numbers.
//   write:  the FAISS file (FAISS's own format: faiss.read_index reads it), then the sidecar with
//           its size and XXH64, each atomically. A crash between the two leaves a pair whose
//           checksum disagrees, which `read` refuses.
//   read:   the sidecar first; then the FAISS file's bytes, checked against its size and XXH64,
//           and only then handed to FAISS's parser (from memory: the bytes parsed are the bytes checked).

import CFaiss
import FileIO
import Foundation

public final class FaissIndex: @unchecked Sendable {
    public let header: IndexHeader
    public let texts: [String]
    /// The index-factory string ("Flat", "HNSW32", "IVF1024,Flat", …).
    public let factory: String
    /// Owned; FAISS's const search is safe from several threads at once.
    private let handle: OpaquePointer

    /// Training rows at most (an evenly spaced sample of the vectors).
    public static let trainingSample = 1 << 18

    private init(header: IndexHeader, texts: [String], factory: String, handle: OpaquePointer) {
        self.header = header; self.texts = texts; self.factory = factory; self.handle = handle
    }

    deinit { mb_faiss_free(handle) }

    public var count: Int { header.count }
    public var dimension: Int { header.dimension }

    // MARK: - Building

    /// A new FAISS index of `vectors` (header.count × header.dimension unit vectors, row-major).
    /// `path` names the output in errors.
    public static func build(factory: String, header: IndexHeader, vectors: UnsafeBufferPointer<Float>, texts: [String],
                             path: String) throws -> FaissIndex {
        precondition(vectors.count == header.count * header.dimension && texts.count == header.count,
                     "FAISS index vectors and texts must match the header")
        guard let base = vectors.baseAddress, header.count > 0 else {
            throw SearchError.invalidInput("\(path): no vectors to index")
        }
        let handle = try make(path, "cannot make a FAISS index from \"\(factory.prefix(64))\"") {
            mb_faiss_create(factory, Int32(header.dimension), &$0, $1, $2)
        }
        let index = FaissIndex(header: header, texts: texts, factory: factory, handle: handle)
        let d = header.dimension, n = header.count
        if mb_faiss_is_trained(handle) == 0 {
            let sampleRows = min(n, trainingSample)
            func train(_ rows: UnsafePointer<Float>) throws {
                try check(path, "training \(factory) on \(sampleRows) vectors failed") {
                    mb_faiss_train(handle, rows, Int64(sampleRows), $0, $1)
                }
            }
            if sampleRows == n {
                try train(base)  // every row is the sample: no copy
            } else {
                var sample: [Float] = []
                sample.reserveCapacity(sampleRows * d)
                for i in 0..<sampleRows {  // rows ⌊i·n/s⌋: evenly spaced, the same every run
                    let row = i * n / sampleRows
                    sample.append(contentsOf: UnsafeBufferPointer(start: base + row * d, count: d))
                }
                try train(sample)
            }
        }
        try check(path, "adding \(n) vectors to \(factory) failed") { mb_faiss_add(handle, base, Int64(n), $0, $1) }
        return index
    }

    // MARK: - Search

    /// Sets --ef-search (HNSW) and --nprobe (IVF) for every later search; each is refused with a
    /// reason on an index that has no such parameter.
    public func setSearchParameters(efSearch: Int?, nprobe: Int?, path: String) throws {
        for (name, option, value, kind) in [("efSearch", "--ef-search", efSearch, "HNSW"), ("nprobe", "--nprobe", nprobe, "IVF")] {
            guard let value else { continue }
            guard factory.contains(kind) else {
                throw SearchError.invalidInput("\(path): \(option) applies to \(kind) indexes; this one is \(factory)")
            }
            guard value >= 1 else { throw SearchError.invalidInput("\(option) must be at least 1") }
            try Self.check(path, "cannot set \(option) \(value) on \(factory)") {
                mb_faiss_set_parameter(handle, name, Double(value), $0, $1)
            }
        }
    }

    /// The `k` best rows for each of `queryCount` unit vectors at `queries` (queryCount, dimension),
    /// best first, scored by FAISS's float32 inner product. k is clamped to the index size; an
    /// approximate index may return fewer.
    public func search(_ queries: UnsafePointer<Float>, queryCount: Int, k: Int) throws -> [[SearchHit]] {
        let kk = min(k, count)
        guard queryCount > 0 && kk > 0 else { return Array(repeating: [], count: queryCount) }
        var scores = [Float](repeating: 0, count: queryCount * kk)
        var labels = [Int64](repeating: -1, count: queryCount * kk)
        try Self.check(factory, "search failed") {
            mb_faiss_search(handle, queries, Int64(queryCount), Int64(kk), &scores, &labels, $0, $1)
        }
        return (0..<queryCount).map { q in
            (0..<kk).compactMap { r in
                let label = labels[q * kk + r]
                guard label >= 0 && label < count else { return nil }
                return SearchHit(index: Int(label), score: Double(scores[q * kk + r]))
            }
        }
    }

    // MARK: - Files

    /// Writes the FAISS file at `url` and its sidecar beside it (FaissSidecar.url), each atomically.
    public func write(to url: URL) throws {
        try AtomicFile.write(to: url) { fd, path in
            try Self.check(path, "writing the FAISS index failed") { mb_faiss_write_fd(handle, fd, $0, $1) }
        }
        let (bytes, xxh64) = try XXH64.file(url)
        try FaissSidecar(header: header, factory: factory, file: url.lastPathComponent, bytes: bytes, xxh64: xxh64)
            .write(texts: texts, to: FaissSidecar.url(for: url))
    }

    /// Reads the FAISS index at `url`: its sidecar, then the file checked against the sidecar's
    /// size and XXH64, then FAISS's reader; the loaded index must match the sidecar's header.
    public static func read(_ url: URL) throws -> FaissIndex {
        let sidecarURL = FaissSidecar.url(for: url)
        guard FileManager.default.fileExists(atPath: sidecarURL.path) else {
            throw SearchError.invalidIndex(path: url.path, reason: "not an index file: no \"MBRTINDX\" magic (`mirror-bert index`), "
                                           + "and no sidecar \(sidecarURL.lastPathComponent) beside it (only FAISS files written by "
                                           + "`mirror-bert index --faiss` are opened)")
        }
        let (sidecar, texts) = try FaissSidecar.read(sidecarURL)
        func fail(_ reason: String) -> SearchError { .invalidIndex(path: url.path, reason: reason) }
        guard sidecar.file == url.lastPathComponent else {
            throw fail("its sidecar describes \(sidecar.file.prefix(64)), not this file")
        }
        let data = try TextLines.readFile(url)
        guard data.count == sidecar.bytes else {
            throw fail("\(data.count) bytes, but its sidecar says \(sidecar.bytes): the file changed after it was written; rebuild it")
        }
        let hash = data.withUnsafeBytes { XXH64.hex($0) }
        guard hash == sidecar.xxh64 else {
            throw fail("XXH64 \(hash), but its sidecar says \(sidecar.xxh64): the file changed after it was written; rebuild it")
        }
        let handle = try data.withUnsafeBytes { raw in
            try make(url.path, "FAISS cannot read it") { mb_faiss_read_memory(raw.baseAddress, raw.count, &$0, $1, $2) }
        }
        let index = FaissIndex(header: sidecar.header, texts: texts, factory: sidecar.factory, handle: handle)
        guard mb_faiss_count(handle) == Int64(sidecar.header.count), Int(mb_faiss_dimension(handle)) == sidecar.header.dimension,
              mb_faiss_is_inner_product(handle) == 1 else {
            throw fail("FAISS holds \(mb_faiss_count(handle)) vectors of dimension \(mb_faiss_dimension(handle)), but the sidecar says "
                       + "\(sidecar.header.count) of dimension \(sidecar.header.dimension) (inner product)")
        }
        return index
    }

    // MARK: - Bridge calls

    /// Runs a bridge call `body(errorBuffer, size)`; a non-zero status throws "`path`: `what`:
    /// FAISS's message".
    private static func check(_ path: String, _ what: String, _ body: (UnsafeMutablePointer<CChar>, Int) -> Int32) throws {
        let size = 1024
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: size)
        defer { buffer.deallocate() }
        buffer.initialize(repeating: 0, count: size)
        guard body(buffer, size) != 0 else { return }
        throw SearchError.faiss(path: path, message: "\(what): \(String(cString: buffer))")
    }

    /// A bridge call that makes an index: `body(&out, errorBuffer, size)`.
    private static func make(_ path: String, _ what: String,
                             _ body: (inout OpaquePointer?, UnsafeMutablePointer<CChar>, Int) -> Int32) throws -> OpaquePointer {
        var out: OpaquePointer?
        try check(path, what) { body(&out, $0, $1) }
        guard let out else { throw SearchError.faiss(path: path, message: "\(what): FAISS returned no index") }
        return out
    }
}
