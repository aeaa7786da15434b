// The 1M-vector search benchmark (Benchmarks/search.sh): exact scan vs FAISS indexes, each built
// and queried in its own process so that each peak RSS is its own.
//   search-build: rows = real embeddings (--base, .npy files of unit vectors), repeated until
//     --rows with Gaussian noise (σ = --noise per coordinate, seeded by row) and renormalized;
//     copy 0 of each base row is the row itself. Builds --kind (exact: our index file; else a
//     FAISS index-factory string) and writes --output. Prints build seconds and file bytes.
//   search-query: opens --index as `search` does, runs --queries (.npy) one at a time, prints
//     p50/p99 latency, queries/s and recall@k against --truth (top-k ids, one line per query);
//     --write-truth writes them (from an exact index).

import FileIO
import Foundation
import JSON
import Kernels
import Models
import Search

func searchBenchmark(mode: String, options: [String: String]) throws -> [String: JSONValue] {
    func option(_ name: String) -> String {
        guard let v = options[name] else { fail("\(mode) needs \(name)") }
        return v
    }
    if let t = options["--threads"], let n = Int(t) { Parallel.threads = n; BLAS.threads = n }
    let header = { (rows: Int, d: Int) in
        IndexHeader(model: ModelIdentity(path: "bench", weightsHash: String(repeating: "0", count: 16), configHash: String(repeating: "0", count: 16)),
                    pooling: .meanMasked, maxLength: 128, dimension: d, count: rows)
    }
    switch mode {
    case "search-build":
        let rows = Int(options["--rows"] ?? "1000000") ?? 1_000_000
        let noise = Float(options["--noise"] ?? "0.02") ?? 0.02
        let kind = option("--kind"), output = URL(fileURLWithPath: option("--output"))
        var base: [Float] = [], d = 0
        for path in option("--base").split(separator: ",") {
            let (shape, data) = try NPY.read(URL(fileURLWithPath: String(path)))
            guard shape.count == 2, d == 0 || shape[1] == d else { fail("\(path): shape \(shape)") }
            d = shape[1]; base += data
        }
        let baseRows = base.count / d
        let vectors = FloatBuffer(count: rows * d)
        for r in 0..<rows {
            let src = r % baseRows, copy = r / baseRows
            var rng = Rng(seed: UInt64(r))
            for j in 0..<d { vectors[r * d + j] = base[src * d + j] + (copy == 0 ? 0 : noise * rng.gaussian()) }
        }
        Pooling.normalize(vectors.pointer, rows: rows, columns: d)
        let texts = (0..<rows).map { "row \($0) (base \($0 % baseRows), copy \($0 / baseRows))" }
        let start = Date()
        let exact = EmbeddingIndex(header: header(rows, d), vectors: vectors, texts: texts)
        if kind == "exact" {
            try exact.write(to: output)
        } else {
            try IndexBuilder.faiss(exact, factory: kind, path: output.path).write(to: output)
        }
        let seconds = Date().timeIntervalSince(start)
        var bytes = try FileManager.default.attributesOfItem(atPath: output.path)[.size] as? Int ?? 0
        if kind != "exact" { bytes += try FileManager.default.attributesOfItem(atPath: FaissSidecar.url(for: output).path)[.size] as? Int ?? 0 }
        return ["mode": .string(mode), "kind": .string(kind), "rows": .int(rows), "base_rows": .int(baseRows), "dimension": .int(d),
                "noise": .double(Double(noise)), "build_seconds": .double(seconds), "file_bytes": .int(bytes), "threads": .int(Parallel.threads)]
    case "search-query":
        let k = Int(options["--k"] ?? "10") ?? 10
        let path = option("--index")
        let loadStart = Date()
        let index = try SearchIndexFile.open(URL(fileURLWithPath: path), efSearch: options["--ef-search"].flatMap { Int($0) },
                                             nprobe: options["--nprobe"].flatMap { Int($0) })
        let loadSeconds = Date().timeIntervalSince(loadStart)
        let (shape, queries) = try NPY.read(URL(fileURLWithPath: option("--queries")))
        guard shape.count == 2, shape[1] == index.dimension else { fail("queries of shape \(shape) for dimension \(index.dimension)") }
        let count = min(shape[0], Int(options["--limit"] ?? "\(shape[0])") ?? shape[0])
        var latencies: [Double] = [], found: [[Int]] = []
        let start = Date()
        for q in 0..<count {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let hits = try queries.withUnsafeBufferPointer { try index.search($0.baseAddress! + q * shape[1], queryCount: 1, k: k) }
            latencies.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
            found.append(hits[0].map(\.index))
        }
        let seconds = Date().timeIntervalSince(start)
        if let truth = options["--write-truth"] {
            try AtomicFile.write(Data(found.map { $0.map(String.init).joined(separator: " ") }.joined(separator: "\n").utf8),
                                 to: URL(fileURLWithPath: truth))
        }
        var result: [String: JSONValue] = [
            "mode": .string(mode), "index": .string(URL(fileURLWithPath: path).lastPathComponent), "rows": .int(index.count),
            "queries": .int(count), "k": .int(k), "load_seconds": .double(loadSeconds), "threads": .int(Parallel.threads),
            "p50_ms": .double(percentile(latencies, 0.5)), "p99_ms": .double(percentile(latencies, 0.99)),
            "queries_per_s": .double(Double(count) / seconds)]
        if let e = options["--ef-search"] { result["ef_search"] = .string(e) }
        if let n = options["--nprobe"] { result["nprobe"] = .string(n) }
        if let truthPath = options["--truth"] {
            let truth = try String(contentsOfFile: truthPath, encoding: .utf8).split(separator: "\n").map { $0.split(separator: " ").compactMap { Int($0) } }
            var hit = 0, total = 0
            for (q, ids) in found.enumerated() where q < truth.count {
                hit += Set(ids).intersection(truth[q].prefix(k)).count; total += min(k, truth[q].count)
            }
            result["recall_at_k"] = .double(Double(hit) / Double(max(total, 1)))
        }
        return result
    default:
        fail("unknown mode \(mode)")
    }
}

func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return .nan }
    return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
}

extension Rng {
    /// A standard normal (Box–Muller).
    mutating func gaussian() -> Float {
        let u1 = max(uniform(), 1e-7), u2 = uniform()
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
}
