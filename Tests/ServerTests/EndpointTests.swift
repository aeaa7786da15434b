// Each endpoint on an in-process server with a tiny random model: shapes, values against
// `mirror-bert encode --normalize`, base64, similarity, search, models, health.

import Foundation
import Models
import Search
import Server
import Testing
import TestSupport

struct EndpointTests {
    let texts = ["a man plays a guitar.", "a woman slices an onion.", "", "ünïcödé and 中文 😀", "the cat sat on the mat."]

    @Test func embeddingsEqualEncodeAndBase64RoundTrips() async throws {
        let f = try TinyServerFixture(); defer { f.cleanup() }
        try await f.withServer { s in
            let list = texts.map(quoted).joined(separator: ",")
            let reply = try await s.post("/v1/embeddings", "{\"input\":[\(list)],\"model\":\"tiny\"}")
            #expect(reply.status == 200, "\(reply)")
            #expect(reply.headers["content-type"] == "application/json")
            let json = try #require(reply.json)
            #expect(json["object"] as? String == "list")
            #expect(json["model"] as? String == "tiny")
            let usage = try #require(json["usage"] as? [String: Int])
            #expect(usage["prompt_tokens"] == usage["total_tokens"] && (usage["prompt_tokens"] ?? 0) >= 2 * texts.count)
            let data = try #require(json["data"] as? [[String: Any]])
            #expect(data.map { $0["object"] as? String } == Array(repeating: "embedding", count: texts.count))
            #expect(data.map { $0["index"] as? Int } == Array(0..<texts.count))
            // Alone in its batch with the same batch size, the request is computed exactly as encode does.
            let vectors = try embeddings(reply)
            let encoded = try await f.encode(texts)
            #expect(vectors == encoded, "server embeddings must equal mirror-bert encode --normalize")
            for v in vectors { #expect(abs(v.reduce(0) { $0 + Double($1) * Double($1) } - 1) < 1e-5, "unit vectors") }

            // A string input gives one embedding; base64 is the same floats, little-endian.
            let one = try await s.post("/v1/embeddings", "{\"input\":\(quoted(texts[0]))}")
            let b64 = try await s.post("/v1/embeddings", "{\"input\":\(quoted(texts[0])),\"encoding_format\":\"base64\"}")
            #expect(one.status == 200 && b64.status == 200, "\(one) \(b64)")
            let base64 = try #require(((b64.json?["data"] as? [[String: Any]])?.first?["embedding"]) as? String)
            let raw = try #require(Data(base64Encoded: base64))
            let decoded = raw.withUnsafeBytes { p in
                (0..<(raw.count / 4)).map { Float(bitPattern: UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
            }
            #expect(decoded == (try embeddings(one)).first, "base64 must decode to the float response")
            #expect(decoded.count == 32)
        }
    }

    @Test func similarityModelsAndHealth() async throws {
        let f = try TinyServerFixture(); defer { f.cleanup() }
        try await f.withServer { s in
            let reply = try await s.post("/v1/similarity", """
                {"pairs": [[\(quoted(texts[0])), \(quoted(texts[1]))], [\(quoted(texts[0])), \(quoted(texts[0]))], [\(quoted(texts[3])), \(quoted(texts[4]))]]}
                """)
            #expect(reply.status == 200, "\(reply)")
            let data = try #require(reply.json?["data"] as? [[String: Any]])
            let scores = data.map { ($0["score"] as? NSNumber)?.doubleValue ?? .nan }
            #expect(data.map { $0["object"] as? String } == ["similarity", "similarity", "similarity"])
            let e = try await f.encode(texts)
            func cos(_ a: [Float], _ b: [Float]) -> Double { zip(a, b).reduce(0) { $0 + Double($1.0) * Double($1.1) } }
            #expect(abs(scores[0] - cos(e[0], e[1])) < 1e-5)
            #expect(abs(scores[1] - 1) < 1e-6)
            #expect(abs(scores[2] - cos(e[3], e[4])) < 1e-5)

            let models = try await s.get("/v1/models")
            #expect(models.status == 200)
            let model = try #require((models.json?["data"] as? [[String: Any]])?.first)
            #expect(model["id"] as? String == "tiny" && model["object"] as? String == "model" && model["dimension"] as? Int == 32)
            #expect(model["precision"] as? String == commandLinePrecision.rawValue, "the products' precision is reported: \(model)")

            let health = try await s.get("/health")
            #expect(health.status == 200 && health.json?["status"] as? String == "ok", "\(health)")
            #expect((health.json?["embedded_texts"] as? Int ?? 0) >= 3)

            let noIndex = try await s.post("/v1/search", "{\"query\":\"x\"}")
            #expect(noIndex.status == 404 && noIndex.errorMessage.contains("--index"), "\(noIndex)")
            let unknown = try await s.get("/v2/nothing")
            #expect(unknown.status == 404 && unknown.errorMessage.contains("no endpoint GET /v2/nothing"), "\(unknown)")
            let wrongModel = try await s.post("/v1/embeddings", "{\"input\":\"x\",\"model\":\"gpt-4\"}")
            #expect(wrongModel.status == 404 && wrongModel.errorMessage.contains("serves \"tiny\""), "\(wrongModel)")
        }
    }

    /// The exact index, and FAISS indexes of the same vectors (`serve --index x.faiss`).
    @Test(arguments: [nil, "Flat", "HNSW32"] as [String?])
    func searchFindsEachTextAndMatchesTheLibrary(faiss: String?) async throws {
        let f = try TinyServerFixture(); defer { f.cleanup() }
        let corpus = texts.filter { !$0.isEmpty } + ["dogs run in the park!", "rain falls on the city."]
        let embedder = try Embedder(try Checkpoint.load(f.model), options: EmbedOptions(maxLength: 32, batchSize: 8, normalize: true,
                                                                                            precision: commandLinePrecision))
        let index = try IndexBuilder.build(corpus, embedder: embedder, model: try ModelIdentity.of(f.model))
        let served: any SearchIndex = try faiss.map { try IndexBuilder.faiss(index, factory: $0, path: "test.faiss") } ?? index
        try await f.withServer(index: served) { s in
            let reply = try await s.post("/v1/search", "{\"query\":[\(quoted(corpus[1])),\(quoted(corpus[5]))],\"k\":3}")
            #expect(reply.status == 200, "\(reply)")
            let data = try #require(reply.json?["data"] as? [[String: Any]])
            #expect(data.count == 2)
            for (q, item) in data.enumerated() {
                let results = try #require(item["results"] as? [[String: Any]])
                #expect(results.count == 3)
                #expect(results.map { $0["rank"] as? Int } == [1, 2, 3])
                #expect(results[0]["index"] as? Int == [1, 5][q] && results[0]["text"] as? String == corpus[[1, 5][q]])
                #expect(abs(((results[0]["score"] as? NSNumber)?.doubleValue ?? 0) - 1) < 1e-5)
                // The same ranking as the library's search.
                let qv = try embedder.embed([corpus[[1, 5][q]]])[0]
                let expected = qv.withUnsafeBufferPointer { index.search($0.baseAddress!, queryCount: 1, k: 3)[0] }
                #expect(results.map { $0["index"] as? Int } == expected.map(\.index))
            }
            let badK = try await s.post("/v1/search", "{\"query\":\"x\",\"k\":0}")
            #expect(badK.status == 400 && badK.errorMessage.contains("k must be between 1 and 1000"), "\(badK)")
        }
    }

    @Test func mismatchedIndexIsRefusedAtStart() throws {
        let f = try TinyServerFixture(); defer { f.cleanup() }
        let embedder = try Embedder(try Checkpoint.load(f.model), options: EmbedOptions(pooling: .cls, maxLength: 32, normalize: true,
                                                                                            precision: commandLinePrecision))
        let index = try IndexBuilder.build(["x"], embedder: embedder, model: try ModelIdentity.of(f.model))
        #expect(throws: SearchError.optionMismatch(path: "test.mbi", option: "pooling", index: "cls", given: "mean-masked")) {
            _ = try EmbeddingServer(checkpoint: try Checkpoint.load(f.model), configuration: f.configuration(), index: index,
                                    indexPath: "test.mbi", identity: try ModelIdentity.of(f.model))
        }
    }
}
