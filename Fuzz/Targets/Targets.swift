// Every parser of outside data, as a fuzz target seeded from the repository's real files:
//   safetensors     SafeTensorsFile(data:) (header and buffer), then every float tensor read
//   torch           TorchCheckpoint(data:) — pytorch_model.bin (zip + pickle)
//   npy             NPY.header and NPY.read (shard outputs that `merge` reads, embeddings)
//   index           IndexFile.read (the search index format)
//   config          EncoderConfig.parse, then the parameter layout a load would allocate
//   tokenizer       tokenizer.json → a tokenizer, then a few encodings (loading and use)
//   text-lines      TextLines.split against the streaming LineReader (same lines or same error),
//                   MirrorCorpus in each mode (in memory and by offset), EvalPairSet.parse
//   model-card      README.md as `eval --card` rewrites it (ModelCard.replacingResults): applying
//                   the same results twice must give what applying them once gives
//   server-json     the OpenAI-style request bodies (embeddings, similarity, search)
//   tei-json        Text Embeddings Inference's request bodies (embed, embed_all, similarity,
//                   tokenize, decode)
//   trainer-state   trainer_state.json of a resumable checkpoint
//   shard-manifest  a sharded encode's "<output>.manifest.json" (ShardManifest.parse)
//   faiss-sidecar   the file beside a FAISS index that makes it a mirror-bert index (FaissSidecar.read)
// The targets themselves are in BinaryTargets, TextTargets and JSONTargets.

import Foundation
import Search

public enum FuzzTargets {
    /// Target names, in the order Scripts/fuzz.sh runs them.
    public static let names = makers.map(\.name)

    /// The target called `name`, seeded from files under `root` (the repository); nil if none is.
    /// Only that target's seeds are made (the index and trainer-state seeds are written by code).
    public static func named(_ name: String, root: URL) -> FuzzTarget? {
        makers.first { $0.name == name }.map { $0.make(root) }
    }

    /// All targets, seeded from files under `root`.
    public static func all(root: URL) -> [FuzzTarget] { makers.map { $0.make(root) } }

    private static var makers: [(name: String, make: (URL) -> FuzzTarget)] {
        [
            ("safetensors", safetensors), ("torch", torch), ("npy", npy), ("index", { _ in index() }),
            ("config", config), ("tokenizer", tokenizer), ("text-lines", textLines), ("model-card", modelCard),
            ("server-json", { _ in serverJSON() }), ("tei-json", { _ in teiJSON() }),
            ("trainer-state", { _ in trainerState() }), ("shard-manifest", shardManifest),
            ("faiss-sidecar", { _ in faissSidecar() }),
        ]
    }

    // MARK: - Seeds

    /// The model the seeds that name one (indexes, FAISS sidecars, shard manifests) say made them.
    public static let seedModel = ModelIdentity(path: "models/x", weightsHash: "0123456789abcdef", configHash: "fedcba9876543210")

    /// The files at `paths` under `root` that exist (the git-ignored model folder may not).
    static func files(_ root: URL, _ paths: [String]) -> [[UInt8]] {
        paths.compactMap { try? [UInt8](Data(contentsOf: root.appendingPathComponent($0))) }
    }

    /// Every file in `folder` whose name ends in `ext`, up to `maxBytes` each, sorted by name.
    static func files(_ root: URL, in folder: String, ext: String, maxBytes: Int = 1 << 20) -> [[UInt8]] {
        let dir = root.appendingPathComponent(folder)
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted()
        return names.filter { $0.hasSuffix(ext) }.compactMap { name in
            guard let d = try? Data(contentsOf: dir.appendingPathComponent(name)), d.count <= maxBytes else { return nil }
            return [UInt8](d)
        }
    }

}

/// A temporary folder of one target, for parsers that read from a path; removed when the last
/// closure holding it is released. One per target, not per process: the tests run targets
/// concurrently, and two bodies writing one file would read each other's inputs.
final class ScratchFolder: @unchecked Sendable {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("mirror-bert-fuzz-\(UUID().uuidString)")

    init() {
        // If it cannot be made, writing the first input into it fails with an error naming it.
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// A server body that no endpoint accepts (the outcome is still a typed error per endpoint).
enum FuzzRejected: Error { case byEveryEndpoint }
