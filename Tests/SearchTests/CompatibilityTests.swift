// Indexes made with a real (tiny) model: model identity, append with the same model and options,
// refusal of another model, pooling or max length.

import Foundation
import Models
@testable import Search
import Testing
import TestSupport

struct CompatibilityTests {
    let corpus = ["a man plays a guitar.", "a woman slices an onion.", "the cat sat on the mat.", "dogs run in the park!",
                  "a child is reading a book.", "rain falls on the city."]

    func embedder(_ dir: URL, pooling: Pooling = .meanMasked, maxLength: Int = 16) throws -> Embedder {
        try Embedder(try Checkpoint.load(dir), options: EmbedOptions(pooling: pooling, maxLength: maxLength, batchSize: 4,
                                                                     normalize: true))
    }

    @Test func identityFollowsTheFilesNotThePath() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        let a = tmp.file("a"), copy = tmp.file("copy"), b = tmp.file("b")
        try makeTinyModel(at: a, seed: 1)
        try FileManager.default.copyItem(at: a, to: copy)
        try makeTinyModel(at: b, seed: 2)
        let ia = try ModelIdentity.of(a), ic = try ModelIdentity.of(copy), ib = try ModelIdentity.of(b)
        #expect(ia.sameModel(as: ic) && ia.path != ic.path)
        #expect(!ia.sameModel(as: ib))
        #expect(ia.configHash == ib.configHash, "same config, different weights")
    }

    @Test func appendWithTheSameModelMatchesBuildingAtOnce() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        let dir = tmp.file("m")
        try makeTinyModel(at: dir)
        let identity = try ModelIdentity.of(dir)
        let e = try embedder(dir)
        let url = tmp.file("c.mbi")
        try IndexBuilder.build(Array(corpus.prefix(4)), embedder: e, model: identity).write(to: url)
        let appended = try IndexBuilder.append(Array(corpus.suffix(2)), to: try EmbeddingIndex.read(url), path: url.path,
                                               embedder: e, model: identity)
        try appended.write(to: url)
        let reread = try EmbeddingIndex.read(url)
        let whole = try IndexBuilder.build(corpus, embedder: e, model: identity)
        #expect(reread.header == whole.header)
        #expect(reread.texts == corpus)
        let c = closeness("appended vs built at once", reread.vectors.array, whole.vectors.array, atol: 1e-6, rtol: 0)
        #expect(c.ok, "\(c)")
        // Each text's best hit is itself.
        let hits = reread.search(reread.vectors.pointer, queryCount: reread.count, k: 1)
        #expect(hits.map { $0[0].index } == Array(0..<corpus.count))
    }

    @Test func anotherModelPoolingOrMaxLengthIsRefused() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        let a = tmp.file("a"), b = tmp.file("b")
        try makeTinyModel(at: a, seed: 1)
        try makeTinyModel(at: b, seed: 2)
        let ia = try ModelIdentity.of(a), ib = try ModelIdentity.of(b)
        let index = try IndexBuilder.build(corpus, embedder: try embedder(a), model: ia)
        #expect(throws: SearchError.modelMismatch(path: "i.mbi", index: ia.summary, given: ib.summary)) {
            try IndexBuilder.append(["more"], to: index, path: "i.mbi", embedder: try embedder(b), model: ib)
        }
        #expect(throws: SearchError.optionMismatch(path: "i.mbi", option: "pooling", index: "mean-masked", given: "cls")) {
            try IndexBuilder.append(["more"], to: index, path: "i.mbi", embedder: try embedder(a, pooling: .cls), model: ia)
        }
        #expect(throws: SearchError.optionMismatch(path: "i.mbi", option: "max length", index: "16", given: "20")) {
            try IndexBuilder.append(["more"], to: index, path: "i.mbi", embedder: try embedder(a, maxLength: 20), model: ia)
        }
        let message = "\(SearchError.modelMismatch(path: "i.mbi", index: ia.summary, given: ib.summary))"
        #expect(message.contains(a.path) && message.contains(b.path) && message.contains("rebuild the index"))
    }
}
