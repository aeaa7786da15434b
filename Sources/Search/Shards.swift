// Sharded encoding. Shard I of N takes a contiguous range of the input's lines, fixed by the
// line count and encode's chunk (its lines are whole chunks: chunks k with I·K/N ≤ k < (I+1)·K/N
// of the K chunks), so each shard's rows are the same rows a single-process encode computes
// (chunks are embedded independently). Each shard writes its output beside the final one,
// "out-0000I-of-0000N.npy", and then its manifest, "….npy.manifest.json": what made it (model,
// options), which lines, how many rows, and the output's size and XXH64. A shard whose output
// matches its manifest is complete, so rerunning a whole job array redoes only what failed;
// `merge` checks that the manifests agree and cover every line once, then concatenates.

import FileIO
import Foundation
import JSON

public enum ShardError: Error, CustomStringConvertible, Equatable {
    case invalid(String)
    case environment(String)
    case merge(String)

    public var description: String {
        switch self {
        case .invalid(let m), .environment(let m), .merge(let m): return m
        }
    }
}

public struct Shard: Equatable, Sendable, CustomStringConvertible {
    /// 0-based.
    public let index: Int
    public let count: Int

    public init(index: Int, count: Int) throws {
        guard count >= 1, count <= 99_999 else { throw ShardError.invalid("shard count \(count) must be 1…99999") }
        guard (0..<count).contains(index) else { throw ShardError.invalid("shard \(index) is not in 0…\(count - 1)") }
        self.index = index; self.count = count
    }

    /// "I/N" (0-based I).
    public static func parse(_ text: String) throws -> Shard {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else {
            throw ShardError.invalid("--shard must be I/N (0-based I, e.g. 0/4) or env (got \"\(text.prefix(32))\")")
        }
        return try Shard(index: i, count: n)
    }

    /// Slurm's job array (SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN of SLURM_ARRAY_TASK_COUNT), or
    /// a Kubernetes Indexed Job's JOB_COMPLETION_INDEX of `count` (its completions).
    public static func fromEnvironment(_ environment: [String: String], count: Int?) throws -> Shard {
        func integer(_ name: String) throws -> Int? {
            guard let v = environment[name] else { return nil }
            guard let n = Int(v) else { throw ShardError.environment("\(name)=\"\(v.prefix(32))\" is not an integer") }
            return n
        }
        if let task = try integer("SLURM_ARRAY_TASK_ID") {
            guard let n = try integer("SLURM_ARRAY_TASK_COUNT"), let low = try integer("SLURM_ARRAY_TASK_MIN") else {
                throw ShardError.environment("SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT or SLURM_ARRAY_TASK_MIN is not")
            }
            if let count, count != n {
                throw ShardError.environment("--num-shards \(count) disagrees with SLURM_ARRAY_TASK_COUNT=\(n)")
            }
            return try Shard(index: task - low, count: n)
        }
        if let index = try integer("JOB_COMPLETION_INDEX") {
            guard let count else {
                throw ShardError.environment("JOB_COMPLETION_INDEX is set: give the job's completions as --num-shards N")
            }
            return try Shard(index: index, count: count)
        }
        throw ShardError.environment("--shard env needs SLURM_ARRAY_TASK_ID (a Slurm job array) or JOB_COMPLETION_INDEX "
                                     + "(a Kubernetes Indexed Job) in the environment")
    }

    /// The lines of this shard among `lines`, in whole chunks of `chunk` lines (possibly empty
    /// when there are more shards than chunks).
    public func lines(of lines: Int, chunk: Int) -> Range<Int> {
        precondition(lines >= 0 && chunk >= 1)
        let chunks = (lines + chunk - 1) / chunk
        let first = index * chunks / count, end = (index + 1) * chunks / count
        return min(first * chunk, lines)..<min(end * chunk, lines)
    }

    /// "out.npy" → "out-0000I-of-0000N.npy" beside it.
    public func file(for output: URL) -> URL {
        let ext = output.pathExtension
        let stem = output.deletingPathExtension().lastPathComponent
        return output.deletingLastPathComponent()
            .appendingPathComponent(Self.name(stem: stem, index: index, count: count) + (ext.isEmpty ? "" : ".\(ext)"))
    }

    static func name(stem: String, index: Int, count: Int) -> String {
        stem + "-" + Self.padded(index) + "-of-" + Self.padded(count)
    }

    private static func padded(_ n: Int) -> String {
        let s = String(n)
        return String(repeating: "0", count: max(0, 5 - s.count)) + s
    }

    public var description: String { "\(index)/\(count)" }
}

/// What a shard's output is; JSON beside it ("<output>.manifest.json").
public struct ShardManifest: Codable, Equatable, Sendable {
    public var format = "mirror-bert-shard"
    public var version = 1
    public var shard: Int
    public var shards: Int
    /// The input file as the shard saw it: its lines and bytes (every shard reads the same file).
    public var input_lines: Int
    public var input_bytes: Int
    public var line_start: Int
    public var line_end: Int
    public var rows: Int
    /// ModelIdentity: XXH64 of model.safetensors and config.json.
    public var model_weights_xxh64: String
    public var model_config_xxh64: String
    /// Everything else that decides the rows' values (pooling, max length, precision, batches,
    /// truncation, quantization) as one line; shards must agree on it exactly.
    public var options: String
    /// Threads the shard computed with. Recorded, not compared across shards: other thread counts
    /// move values only by float rounding (shards with equal counts merge bit-identical to one
    /// encode); a rerun with another count redoes the shard.
    public var threads: Int
    /// "encode": rows are the range's lines. "index": rows are its non-blank lines (with `unique`,
    /// those not seen earlier in the shard; merge then drops those of earlier shards).
    public var kind: String
    public var unique: Bool
    /// The output file's name (beside the manifest), size and XXH64.
    public var output_file: String
    public var output_bytes: Int
    public var output_xxh64: String

    /// What a shard's output holds.
    public enum Kind: Equatable, Sendable {
        /// One row per line (encode).
        case encode
        /// An index of `rows` of the lines (the non-blank ones; with `unique`, each text once).
        case index(rows: Int, unique: Bool)
    }

    /// The work of `shard` (its output fields empty until `describing(_:)`).
    public init(shard: Shard, inputLines: Int, inputBytes: Int, lines: Range<Int>, model: ModelIdentity, options: String,
                threads: Int, kind: Kind = .encode) {
        self.shard = shard.index; shards = shard.count
        input_lines = inputLines; input_bytes = inputBytes
        line_start = lines.lowerBound; line_end = lines.upperBound
        switch kind {
        case .encode: (self.kind, rows, unique) = ("encode", lines.count, false)
        case let .index(rows, unique): (self.kind, self.rows, self.unique) = ("index", rows, unique)
        }
        model_weights_xxh64 = model.weightsHash; model_config_xxh64 = model.configHash
        self.options = options
        self.threads = threads
        output_file = ""; output_bytes = 0; output_xxh64 = ""
    }

    /// This work with `output`'s name, size and XXH64.
    public func describing(_ output: URL) throws -> ShardManifest {
        var m = self
        m.output_file = output.lastPathComponent
        (m.output_bytes, m.output_xxh64) = try XXH64.file(output)
        return m
    }

    /// The same work: everything but the output's description.
    public func sameWork(as other: ShardManifest) -> Bool {
        var a = self, b = other
        (a.output_file, a.output_bytes, a.output_xxh64) = ("", 0, "")
        (b.output_file, b.output_bytes, b.output_xxh64) = ("", 0, "")
        return a == b
    }

    public static func url(for output: URL) -> URL {
        output.deletingLastPathComponent().appendingPathComponent(output.lastPathComponent + ".manifest.json")
    }

    public static func read(_ url: URL) throws -> ShardManifest {
        let data: Data
        do { data = try TextLines.readFile(url) } catch { throw ShardError.merge("cannot read \(url.path): \(error)") }
        return try JSONValueDecoder().decode(ShardManifest.self, from: data, maxDepth: 8) {
            ShardError.merge("\(url.path) is not a shard manifest: \($0)")
        }
    }

    public func write(to url: URL) throws {
        try AtomicFile.write(Data(try JSONValueEncoder().encode(self).serialized(.pretty)), to: url)
    }

    /// True if `output` and its manifest exist, the manifest describes `work`, and the output's
    /// size and XXH64 match it (a shard already done).
    public static func isComplete(_ output: URL, work: ShardManifest) -> Bool {
        guard FileManager.default.fileExists(atPath: output.path),
              let manifest = try? read(url(for: output)), manifest.output_file == output.lastPathComponent,
              manifest.sameWork(as: work), let (bytes, hash) = try? XXH64.file(output) else { return false }
        return bytes == manifest.output_bytes && hash == manifest.output_xxh64
    }

    /// Whether two manifests come from the same job (model, options, input, shard count).
    public func sameJob(as other: ShardManifest) -> Bool {
        shards == other.shards && input_lines == other.input_lines && input_bytes == other.input_bytes
            && model_weights_xxh64 == other.model_weights_xxh64 && model_config_xxh64 == other.model_config_xxh64
            && options == other.options && kind == other.kind && unique == other.unique
    }

    /// True for the shards of `index --shard`.
    public var isIndex: Bool { kind == "index" }
}

/// `mirror-bert merge`: the shards of `output` (found beside it by name), checked and joined.
public enum ShardMerge {
    /// The manifests of `output`'s shards, sorted by shard: every one of 0..<N present once (N
    /// from the files, or `count`), all from the same job, their lines covering the input in
    /// order, each output matching its size and XXH64.
    public static func manifests(for output: URL, count: Int? = nil) throws -> [ShardManifest] {
        let folder = output.deletingLastPathComponent()
        let ext = output.pathExtension
        let stem = output.deletingPathExtension().lastPathComponent
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        let suffix = (ext.isEmpty ? "" : ".\(ext)") + ".manifest.json"
        var found: [Int: [(Int, URL)]] = [:]  // shard count → (index, manifest)
        for name in names where name.hasPrefix(stem + "-") && name.hasSuffix(suffix) {
            let middle = name.dropFirst(stem.count + 1).dropLast(suffix.count)  // "0000I-of-0000N"
            let parts = middle.components(separatedBy: "-of-")
            guard parts.count == 2, parts[0].count == 5, parts[1].count == 5, let i = Int(parts[0]), let n = Int(parts[1])
            else { continue }
            found[n, default: []].append((i, folder.appendingPathComponent(name)))
        }
        guard !found.isEmpty else {
            throw ShardError.merge("no shard manifests for \(output.path) (expected \(Shard.name(stem: stem, index: 0, count: 1))…\(suffix) beside it)")
        }
        let n: Int
        if let count {
            n = count
        } else {
            guard found.count == 1, let only = found.keys.first else {
                throw ShardError.merge("shards of \(output.lastPathComponent) from runs with \(found.keys.sorted().map(String.init).joined(separator: ", ")) shards are beside it: give --shards N")
            }
            n = only
        }
        let listed = Dictionary((found[n] ?? []).map { ($0.0, $0.1) }, uniquingKeysWith: { a, _ in a })
        let missing = (0..<n).filter { listed[$0] == nil }
        guard missing.isEmpty else {
            throw ShardError.merge("shards \(missing.map { "\($0)/\(n)" }.joined(separator: ", ")) of \(output.lastPathComponent) have no manifest (not run, or not finished): run them, then merge")
        }
        var manifests: [ShardManifest] = []
        for i in 0..<n {
            guard let url = listed[i] else { continue }  // never: every index is present (checked above)
            let m = try ShardManifest.read(url)
            guard m.format == "mirror-bert-shard", m.version == 1, m.shard == i, m.shards == n else {
                throw ShardError.merge("\(url.path) describes shard \(m.shard)/\(m.shards) (format \(m.format) \(m.version)), not \(i)/\(n)")
            }
            if let first = manifests.first, !m.sameJob(as: first) {
                throw ShardError.merge("shard \(i)/\(n) was made by another job than shard 0/\(n) (model, options or input differ):\n  \(first.options)\n  \(m.options)")
            }
            let expectedStart = manifests.last?.line_end ?? 0
            guard m.kind == "encode" || m.kind == "index" else {
                throw ShardError.merge("\(url.path) has unknown kind \"\(m.kind.prefix(32))\" (expected encode or index)")
            }
            // The range is checked before its length is taken: a manifest's line_start and line_end
            // can be any integers, and their difference can overflow (the shard-manifest fuzz target).
            guard m.line_start == expectedStart, m.line_end >= m.line_start,
                  case let lines = m.line_end - m.line_start,  // both ≥ 0 here: no overflow
                  m.isIndex ? (0...lines).contains(m.rows) : m.rows == lines else {
                throw ShardError.merge("shard \(i)/\(n) covers lines \(m.line_start)..<\(m.line_end) with \(m.rows) rows, but the lines after the previous shard start at \(expectedStart) (and \(m.isIndex ? "an index holds at most" : "encode writes") one row per line)")
            }
            let file = url.deletingLastPathComponent().appendingPathComponent(m.output_file)
            let (bytes, hash) = try XXH64.file(file)
            guard bytes == m.output_bytes, hash == m.output_xxh64 else {
                throw ShardError.merge("\(file.path) does not match its manifest (\(bytes) bytes, xxh64 \(hash); manifest: \(m.output_bytes) bytes, xxh64 \(m.output_xxh64)): rerun shard \(i)/\(n)")
            }
            manifests.append(m)
        }
        guard let last = manifests.last, last.line_end == last.input_lines else {
            throw ShardError.merge("the shards cover lines 0..<\(manifests.last?.line_end ?? 0) of \(manifests.first?.input_lines ?? 0)")
        }
        return manifests
    }

    /// Writes `output` atomically from its shards: .npy as one array (the shards' headers
    /// checked to agree and their data concatenated), .jsonl and .tsv by concatenation.
    public static func merge(_ manifests: [ShardManifest], into output: URL) throws {
        let folder = output.deletingLastPathComponent()
        let files = manifests.map { folder.appendingPathComponent($0.output_file) }
        let npy = output.pathExtension.lowercased() == "npy"
        var header: [UInt8] = []
        if npy {
            var descr: String?, columns: Int?, rows = 0
            for (file, m) in zip(files, manifests) {
                let data = try Data(contentsOf: file, options: .alwaysMapped)
                let h = try data.withUnsafeBytes { try NPY.header($0, path: file.path) }
                guard h.shape.count == 2, descr == nil || (descr == h.descr && columns == h.shape[1]) else {
                    throw ShardError.merge("\(file.path) holds a \(h.descr) array of shape \(h.shape); the other shards differ")
                }
                // One row per line of the shard (the manifests' line ranges are checked to tile the
                // input, so the sum cannot overflow), and exactly the data that shape needs.
                guard h.shape[0] == m.rows, NPY.dataBytes(shape: h.shape, descr: h.descr) == data.count - h.dataStart else {
                    throw ShardError.merge("\(file.path) holds a \(h.descr) array of shape \(h.shape) in \(data.count - h.dataStart) data bytes; its manifest says \(m.rows) rows")
                }
                descr = h.descr; columns = h.shape[1]; rows += h.shape[0]
            }
            header = NPY.headerBytes(rows: rows, columns: columns ?? 0, descr: descr ?? Float.npyDescr)
        }
        try AtomicFile.write(to: output) { fd, path in
            try header.withUnsafeBytes { try AtomicFile.writeAll(fd: fd, $0, path: path) }
            for file in files {
                let data = try Data(contentsOf: file, options: .alwaysMapped)
                try data.withUnsafeBytes { bytes in
                    let start = npy ? try NPY.header(bytes, path: file.path).dataStart : 0
                    try AtomicFile.writeAll(fd: fd, UnsafeRawBufferPointer(rebasing: bytes[start...]), path: path)
                }
            }
        }
    }
}
