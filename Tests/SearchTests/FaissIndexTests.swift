// FAISS indexes (Debian's libfaiss through CFaiss): Flat returns the exact search's top k, files
// round-trip through the sidecar and are refused when changed, search parameters go only where
// they apply, and Python's faiss (Debian's python3-faiss) reads our file with the same results.

import Foundation
@testable import Search
import Testing
import TestSupport

struct FaissIndexTests {
    static let d = 32, n = 3000
    static let vectors = randomUnitVectors(rows: n, dimension: d, seed: 7)
    static let queries = randomUnitVectors(rows: 25, dimension: d, seed: 8)
    static let texts = (0..<n).map { "text \($0)" }
    static let header = IndexHeader(model: identityA, pooling: .mean, maxLength: 128, dimension: d, count: n)

    func exact() -> EmbeddingIndex { EmbeddingIndex(header: Self.header, vectors: Self.vectors, texts: Self.texts) }

    func build(_ factory: String) throws -> FaissIndex {
        try Self.vectors.withUnsafeBufferPointer {
            try FaissIndex.build(factory: factory, header: Self.header, vectors: $0, texts: Self.texts, path: "test.faiss")
        }
    }

    func search(_ index: any SearchIndex, k: Int = 10) throws -> [[SearchHit]] {
        try Self.queries.withUnsafeBufferPointer { try index.search($0.baseAddress!, queryCount: 25, k: k) }
    }

    /// Same ids and scores within 1e-5, except that rows whose exact scores tie within float32
    /// rounding may swap places.
    func expectSameTopK(_ got: [[SearchHit]], _ want: [[SearchHit]]) {
        #expect(got.count == want.count)
        for (g, w) in zip(got, want) {
            #expect(g.count == w.count)
            for (a, b) in zip(g, w) {
                #expect(abs(a.score - b.score) <= 1e-5, "score \(a.score) vs exact \(b.score)")
                if a.index != b.index { #expect(abs(a.score - b.score) <= 1e-6, "rows \(a.index) and \(b.index) swap without a tie") }
            }
        }
    }

    @Test func flatReturnsTheExactTopK() throws {
        expectSameTopK(try search(try build("Flat")), try search(exact()))
        expectSameTopK(try search(try build("Flat"), k: 1), try search(exact(), k: 1))
    }

    @Test func ivfWithEveryListProbedIsExactAndHNSWRecallsNearlyAll() throws {
        let ivf = try build("IVF16,Flat")
        try ivf.setSearchParameters(efSearch: nil, nprobe: 16, path: "ivf")
        expectSameTopK(try search(ivf), try search(exact()))
        let hnsw = try build("HNSW32")
        try hnsw.setSearchParameters(efSearch: 256, nprobe: nil, path: "hnsw")
        let want = try search(exact()), got = try search(hnsw)
        let found = zip(got, want).map { g, w in Set(g.map(\.index)).intersection(w.map(\.index)).count }.reduce(0, +)
        #expect(Double(found) / Double(25 * 10) >= 0.95, "HNSW32 recall@10 at efSearch 256: \(found)/250")
    }

    @Test func parametersApplyOnlyWhereTheIndexHasThem() throws {
        let hnsw = try build("HNSW16")
        #expect(throws: SearchError.self) { try hnsw.setSearchParameters(efSearch: nil, nprobe: 4, path: "h.faiss") }
        let flat = try build("Flat")
        #expect(throws: SearchError.self) { try flat.setSearchParameters(efSearch: 32, nprobe: nil, path: "f.faiss") }
        #expect(throws: SearchError.self) { _ = try build("NoSuchIndex42") }
    }

    @Test func filesRoundTripAndChangedFilesAreRefused() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        let url = tmp.file("corpus.faiss")
        let built = try build("IVF8,Flat")
        try built.setSearchParameters(efSearch: nil, nprobe: 3, path: url.path)
        try built.write(to: url)
        let read = try SearchIndexFile.open(url, nprobe: 3)
        #expect(read.header == Self.header && read.texts == Self.texts)
        #expect(try search(read) == (try search(built)))
        // The exact kind opens too, and refuses the FAISS knobs.
        let exactURL = tmp.file("corpus.index")
        try exact().write(to: exactURL)
        #expect(try SearchIndexFile.open(exactURL) is EmbeddingIndex)
        #expect(throws: SearchError.self) { _ = try SearchIndexFile.open(exactURL, efSearch: 16) }
        // One changed byte in the FAISS file: refused by the checksum before FAISS parses it.
        var bytes = try Data(contentsOf: url)
        bytes[bytes.count / 2] ^= 0x40
        try bytes.write(to: url)
        #expect { _ = try FaissIndex.read(url) } throws: { "\($0)".contains("XXH64") }
        // No sidecar: not opened at all.
        try FileManager.default.removeItem(at: FaissSidecar.url(for: url))
        #expect { _ = try FaissIndex.read(url) } throws: { "\($0)".contains("no sidecar") }
    }

    @Test func sidecarRejectsDamage() throws {
        let sidecar = FaissSidecar(header: IndexHeader(model: identityA, pooling: .cls, maxLength: 16, dimension: 4, count: 2),
                                   factory: "Flat", file: "x.faiss", bytes: 45, xxh64: "0123456789abcdef")
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        let url = tmp.file("x.faiss.mirror-bert")
        try sidecar.write(texts: ["a", "b c"], to: url)
        let good = try Data(contentsOf: url)
        let (read, texts) = try FaissSidecar.read(url)
        #expect(read == sidecar && texts == ["a", "b c"])
        for cut in [0, 8, 15, 20, good.count - 1] {
            #expect(throws: SearchError.self) { _ = try good.prefix(cut).withUnsafeBytes { try FaissSidecar.read($0, path: "x") } }
        }
        var extra = good; extra.append(0)
        #expect(throws: SearchError.self) { _ = try extra.withUnsafeBytes { try FaissSidecar.read($0, path: "x") } }
        var magic = good; magic[0] = 0x41
        #expect(throws: SearchError.self) { _ = try magic.withUnsafeBytes { try FaissSidecar.read($0, path: "x") } }
    }

    /// Debian's python3-faiss (seen by /usr/bin/python3, not this machine's default python3).
    @Test(.enabled(if: FaissPython.available, "Debian's python3-faiss is not installed for /usr/bin/python3 (apt-get install python3-faiss)"))
    func pythonFaissReadsOurFileWithTheSameResults() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        let url = tmp.file("corpus.faiss")
        let index = try build("HNSW32")
        try index.setSearchParameters(efSearch: 64, nprobe: nil, path: url.path)
        try index.write(to: url)
        let queriesURL = tmp.file("q.f32")
        try Self.queries.withUnsafeBytes { try Data($0).write(to: queriesURL) }
        let script = """
            import faiss, numpy as np, sys
            index = faiss.read_index(sys.argv[1])
            faiss.ParameterSpace().set_index_parameter(index, "efSearch", 64)
            q = np.fromfile(sys.argv[2], dtype="<f4").reshape(-1, index.d)
            D, I = index.search(q, 10)
            print(index.ntotal, index.d, index.metric_type == faiss.METRIC_INNER_PRODUCT)
            for d, i in zip(D, I): print(" ".join(f"{a}:{b:.7f}" for a, b in zip(i, d)))
            """
        let result = try FaissPython.run(script, arguments: [url.path, queriesURL.path])
        #expect(result.status == 0, "\(result.stderr)")
        var lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.removeFirst() == "\(Self.n) \(Self.d) True")
        let ours = try search(index)
        for (q, line) in lines.enumerated() {
            let pairs = line.split(separator: " ").map { $0.split(separator: ":") }
            #expect(pairs.map { Int($0[0]) } == ours[q].map(\.index), "query \(q)")
            for (pair, hit) in zip(pairs, ours[q]) { #expect(abs((Double(pair[1]) ?? .nan) - hit.score) <= 1e-6) }
        }
    }
}

/// /usr/bin/python3 with Debian's faiss module.
enum FaissPython {
    static let python = "/usr/bin/python3"
    static let available: Bool = (try? run("import faiss, numpy", arguments: []).status) == 0

    static func run(_ script: String, arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = ["-c", script] + arguments
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }
}
