// mirror-bert convert: pytorch_model.bin → model.safetensors, without Python and without
// executing anything in the pickle (TorchPickle's restricted reader).

import ArgumentParser
import FileIO
import Foundation
import SafeTensors
import TorchPickle

struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a PyTorch pytorch_model.bin to model.safetensors (nothing in the pickle is executed).",
        discussion: """
        Given a file, writes one .safetensors file (into --output/model.safetensors if --output is \
        an existing folder). Given a model folder, writes a new folder at --output with \
        model.safetensors and copies of the other files (config, tokenizer, sentence-transformers \
        modules; other weight formats are left out), so info/encode/train work on it. Tensors keep \
        their names; F16/BF16 become F32, other dtypes (e.g. int64 position_ids) are kept. Outputs \
        are written under a temporary name and renamed when complete.
        """)

    @Option(help: "pytorch_model.bin, or a model folder holding one.")
    var input: String

    @Option(help: "A .safetensors file (file input) or a model folder (folder input); replaced if it exists.")
    var output: String

    func run() throws {
        let inputURL = URL(fileURLWithPath: input).standardizedFileURL
        var outputURL = URL(fileURLWithPath: output).standardizedFileURL
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: inputURL.path, isDirectory: &isDir) else {
            throw FileIOError.notFound(path: inputURL.path)
        }
        guard !sameFile(inputURL, outputURL) else {
            throw ValidationError("--output must differ from --input (\(inputURL.path))")
        }
        if isDir.boolValue {
            let bin = inputURL.appendingPathComponent("pytorch_model.bin")
            guard FileManager.default.fileExists(atPath: bin.path) else { throw FileIOError.notFound(path: bin.path) }
            let ckpt = try TorchCheckpoint(url: bin)
            let folder = try AtomicDirectory(destination: outputURL)
            defer { folder.discard() }
            let summary = try ckpt.writeSafeTensors(to: folder.file("model.safetensors"))
            let copied = try copyCompanionFiles(from: inputURL, into: folder)
            try folder.commit()
            report(summary, from: bin, to: outputURL.appendingPathComponent("model.safetensors"))
            Console.note("copied \(copied.count) files: \(copied.joined(separator: ", "))")
        } else {
            var outIsDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: outputURL.path, isDirectory: &outIsDir), outIsDir.boolValue {
                outputURL.appendPathComponent("model.safetensors")
                guard !sameFile(inputURL, outputURL) else {
                    throw ValidationError("--output must differ from --input (\(inputURL.path))")
                }
            }
            let ckpt = try TorchCheckpoint(url: inputURL)
            let summary = try ckpt.writeSafeTensors(to: outputURL)
            report(summary, from: inputURL, to: outputURL)
        }
    }

    private func report(_ s: SafeTensorsConversion, from: URL, to: URL) {
        let kinds = s.dtypeCounts.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.value) \($0.key.rawValue)" }
        let widened = s.widenedCount > 0 ? "; \(s.widenedCount) F16/BF16 widened to F32" : ""
        print("\(from.path) → \(to.path): \(s.tensorCount) tensors (\(kinds.joined(separator: ", "))\(widened)), " +
              String(format: "%.1f MB", Double(s.dataBytes) / 1e6))
    }

    /// Copies every file of the model folder except weights, plus sentence-transformers module
    /// folders ("1_Pooling", …); returns the names copied.
    private func copyCompanionFiles(from source: URL, into folder: AtomicDirectory) throws -> [String] {
        let weightSuffixes = [".bin", ".safetensors", ".h5", ".msgpack", ".ot", ".onnx", ".pt", ".pth", ".ckpt", ".index.json"]
        let fm = FileManager.default
        var copied: [String] = []
        let names: [String]
        do { names = try fm.contentsOfDirectory(atPath: source.path).sorted() } catch {
            throw FileIOError.cannotOpen(path: source.path, reason: error.localizedDescription)
        }
        for name in names where !name.hasPrefix(".") && !weightSuffixes.contains(where: { name.hasSuffix($0) }) {
            let src = source.appendingPathComponent(name)
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: src.path, isDirectory: &isDir) else { continue }
            if isDir.boolValue {
                guard name.first?.isNumber == true, name.contains("_") else { continue }
                do { try fm.copyItem(at: src, to: folder.file(name)) } catch {
                    throw FileIOError.cannotWrite(path: folder.file(name).path, reason: error.localizedDescription)
                }
            } else {
                try AtomicFile.write(try TextLines.readFile(src), to: folder.file(name))
            }
            copied.append(name)
        }
        return copied
    }

    /// Whether two paths name the same file or folder (after resolving symbolic links).
    private func sameFile(_ a: URL, _ b: URL) -> Bool {
        a.resolvingSymlinksInPath().path == b.resolvingSymlinksInPath().path
    }
}
