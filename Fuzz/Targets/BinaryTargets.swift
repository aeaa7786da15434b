// The binary formats: safetensors, pytorch_model.bin, .npy and the search index.

import FileIO
import Foundation
import Models
import SafeTensors
import Search
import TorchPickle

extension FuzzTargets {
    static func safetensors(_ root: URL) -> FuzzTarget {
        FuzzTarget(name: "safetensors", seeds: files(root, in: "Tests/Fixtures/safetensors", ext: ".safetensors")
                   + files(root, in: "Tests/Fixtures/bert/tiny", ext: ".safetensors"),
                   maxSize: 1 << 17, dictionaries: ["json", "safetensors"]) { input in
            let file = try SafeTensorsFile(data: Data(input))
            for t in file.tensors where [.f32, .f16, .bf16].contains(t.dtype) {
                _ = try file.floats(t.name)
            }
        }
    }

    static func torch(_ root: URL) -> FuzzTarget {
        let folder = "Tests/Fixtures/torchpickle"
        let seeds = files(root, in: folder, ext: ".bin") + files(root, in: folder + "/tiny-bert", ext: ".bin")
        let refused = files(root, in: folder + "/malformed", ext: ".bin")
            + files(root, in: folder + "/malicious", ext: ".bin")
        return FuzzTarget(name: "torch", seeds: seeds, refusedSeeds: refused, maxSize: 1 << 18,
                          dictionaries: ["torch"]) { input in
            // Checksums off half the time, so mutations reach the unpickler instead of the CRC check.
            let data = Data(input)
            let verify = input.count % 2 == 0
            let file = try TorchCheckpoint(data: data, verifyChecksums: verify)
            for t in file.tensors where [.f32, .f16, .bf16].contains(t.dtype) { _ = try file.floats(t.name) }
        }
    }

    static func npy(_ root: URL) -> FuzzTarget {
        let seeds = files(root, in: "Tests/Fixtures/safetensors", ext: ".npy")
            + files(root, in: "Tests/Fixtures/quantization", ext: ".npy")
        // A header whose shape needs 9.9 GB of data, without the data.
        let refused = files(root, ["Tests/Fixtures/safetensors/numpy_f32_2x1234567890.npy.header"])
        let scratch = ScratchFolder()
        return FuzzTarget(name: "npy", seeds: seeds, refusedSeeds: refused, maxSize: 1 << 16, dictionaries: ["npy"]) { input in
            let header = try input.withUnsafeBytes { try NPY.header($0, path: "in.npy") }
            // The whole read (shape product, data size, elements) goes through a file, as callers do.
            let file = scratch.file("in.npy")
            try Data(input).write(to: file)
            switch header.descr {
            case Int8.npyDescr: _ = try NPY.read(file, as: Int8.self)
            case UInt8.npyDescr: _ = try NPY.read(file, as: UInt8.self)
            default: _ = try NPY.read(file, as: Float.self)
            }
        }
    }

    static func index() -> FuzzTarget {
        // Small real indexes, made in memory.
        var seeds: [[UInt8]] = []
        let scratch = ScratchFolder()
        for (n, d) in [(3, 4), (0, 2), (1, 1)] {
            let header = IndexHeader(model: seedModel, pooling: .meanMasked, maxLength: 128, dimension: d, count: n)
            var vectors = [Float](repeating: 0, count: n * d)
            for r in 0..<n { vectors[r * d + r % d] = 1 }
            let texts = (0..<n).map { "text \($0) ünï" }
            let url = scratch.file("seed-\(n).mbi")
            if (try? vectors.withUnsafeBufferPointer { try IndexFile.write(header: header, vectors: $0, texts: texts, to: url) }) != nil,
               let bytes = try? Data(contentsOf: url) {
                seeds.append([UInt8](bytes))
            }
        }
        return FuzzTarget(name: "index", seeds: seeds, maxSize: 1 << 16, dictionaries: ["json", "index"]) { input in
            _ = try input.withUnsafeBytes { try IndexFile.read($0, path: "in.mbi") }
        }
    }

    static func faissSidecar() -> FuzzTarget {
        // Small real sidecars (the file beside a FAISS index), made in memory.
        var seeds: [[UInt8]] = []
        let scratch = ScratchFolder()
        for (n, factory) in [(3, "HNSW32"), (0, "Flat"), (1, "IVF1024,Flat")] {
            let header = IndexHeader(model: seedModel, pooling: .meanMasked, maxLength: 128, dimension: 4, count: n)
            let sidecar = FaissSidecar(header: header, factory: factory, file: "corpus.faiss", bytes: 45 + 16 * n,
                                       xxh64: "00ff00ff00ff00ff")
            let url = scratch.file("seed-\(n).faiss.mirror-bert")
            if (try? sidecar.write(texts: (0..<n).map { "text \($0) ünï" }, to: url)) != nil, let bytes = try? Data(contentsOf: url) {
                seeds.append([UInt8](bytes))
            }
        }
        return FuzzTarget(name: "faiss-sidecar", seeds: seeds, maxSize: 1 << 16, dictionaries: ["json", "index", "faiss-sidecar"]) { input in
            _ = try input.withUnsafeBytes { try FaissSidecar.read($0, path: "corpus.faiss.mirror-bert") }
        }
    }
}
