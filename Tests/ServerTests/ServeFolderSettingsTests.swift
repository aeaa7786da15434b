// `mirror-bert serve` embeds as the model folder declares (pooling, max length; always
// normalized), and a flag overrides the folder and says so.

import Foundation
import Models
import Testing
import TestSupport

/// In ServeExecutableTests, whose serve processes start one after another (`.serialized`).
extension ServeExecutableTests {
    static let folderTexts = ["a man plays a guitar on the stage tonight.", "the cat sat on the mat all day long."]

    func served(_ args: [String], expecting line: String) async throws -> (stderr: String, vectors: [[Float]]) {
        let (p, stderr, port) = try await startServe(args)
        defer { if p.isRunning { p.terminate() } }
        #expect(stderr.text.contains(line), "\(stderr.text)")
        let reply = try await LoopbackHTTP.post(port: port, "/v1/embeddings",
                                                json: "{\"input\": [\(Self.folderTexts.map { "\"\($0)\"" }.joined(separator: ","))]}")
        #expect(reply.status == 200, "\(reply)")
        return (stderr.text, try embeddings(reply))
    }

    func library(_ model: URL, _ pooling: Pooling, _ maxLength: Int) throws -> [Float] {
        try Embedder(try Checkpoint.load(model), options: EmbedOptions(pooling: pooling, maxLength: maxLength, normalize: true,
                                                                      precision: commandLinePrecision))
            .embed(Self.folderTexts).flatMap { $0 }
    }

    @Test func folderSettingsAreTheDefaultAndFlagsOverride() async throws {
        let f = try TinyServerFixture(); defer { f.cleanup() }
        try TinyModelFactory.declare(at: f.model, pooling: "cls", normalize: true, maxSeqLength: 6)

        let byFolder = try await served(["--model", f.model.path], expecting: "model tiny, cls, max length 6")
        #expect(byFolder.stderr.contains("serve: pooling cls (the model folder), max length 6 (the model folder)"))
        let c = closeness("serve vs Embedder (cls, 6)", byFolder.vectors.flatMap { $0 }, try library(f.model, .cls, 6),
                          atol: 2e-6, rtol: 0)
        #expect(c.ok, "\(c)")

        let byFlags = try await served(["--model", f.model.path, "--pooling", "mean-masked", "--max-length", "24"],
                                       expecting: "model tiny, mean-masked, max length 24")
        #expect(byFlags.stderr.contains("serve: --pooling mean-masked overrides the model folder's cls"), "\(byFlags.stderr)")
        let d = closeness("serve vs Embedder (mean-masked, 24)", byFlags.vectors.flatMap { $0 },
                          try library(f.model, .meanMasked, 24), atol: 2e-6, rtol: 0)
        #expect(d.ok, "\(d)")
    }
}
