// Text Embeddings Inference's routes on an in-process server with the tiny model: shapes and
// values against `mirror-bert encode` (and the OpenAI route), Matryoshka dimensions, normalize,
// truncate: false, TEI's error shape and statuses, the API key, the concurrency cap, /metrics.

import Foundation
import Server
import Testing
import TestSupport

struct TEIRouteTests {
    let texts = ["a man plays a guitar.", "a woman slices an onion.", "the cat sat on the mat."]

    func array(_ reply: HTTPReply) -> Any? { try? JSONSerialization.jsonObject(with: reply.body) }

    func floats(_ reply: HTTPReply) throws -> [[Float]] { try JSONDecoder().decode([[Float]].self, from: reply.body) }

    @Test func embedEqualsEncodeAndTruncatesDimensions() async throws {
        let f = try TinyServerFixture(); defer { f.cleanup() }
        try await f.withServer { s in
            let list = texts.map(quoted).joined(separator: ",")
            let reply = try await s.post("/embed", "{\"inputs\":[\(list)]}")
            #expect(reply.status == 200, "\(reply)")
            let encoded = try await f.encode(texts)
            #expect(try floats(reply) == encoded, "/embed must equal mirror-bert encode --normalize")
            // POST / is /embed for an embedding model; a single string gives one row.
            let root = try await s.post("/", "{\"inputs\":\(quoted(texts[0]))}")
            let rootRows = try floats(root)
            #expect(root.status == 200 && rootRows == [encoded[0]], "\(root)")

            // dimensions: the first d values, renormalized; normalize false: the raw pooled vector's prefix.
            let cut = try await s.post("/embed", "{\"inputs\":\(quoted(texts[1])),\"dimensions\":8}")
            let row = try #require(try floats(cut).first)
            #expect(row.count == 8)
            let full = encoded[1], norm = Float(full[..<8].reduce(0) { $0 + Double($1) * Double($1) }.squareRoot())
            for j in 0..<8 { #expect(abs(row[j] - full[j] / norm) < 1e-6) }
            let raw = try await s.post("/embed", "{\"inputs\":\(quoted(texts[1])),\"normalize\":false,\"dimensions\":8}")
            let rawRow = try #require(try floats(raw).first)
            let rawNorm = rawRow.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
            #expect(abs(rawNorm - 1) > 1e-3, "normalize false keeps the pooled vector's length")
            for j in 0..<8 { #expect(abs(rawRow[j] / Float(rawNorm) - row[j]) < 1e-5) }

            // The OpenAI route takes dimensions too (always normalized).
            let openai = try await s.post("/v1/embeddings", "{\"input\":\(quoted(texts[1])),\"dimensions\":8}")
            let openaiRow = try embeddings(openai).first
            #expect(openaiRow == row, "\(openai)")
            let tooMany = try await s.post("/v1/embeddings", "{\"input\":\"x\",\"dimensions\":33}")
            #expect(tooMany.status == 400 && (tooMany.json?["error"] as? [String: Any])?["param"] as? String == "dimensions")
        }
    }

    @Test func teiErrorsHaveTEIShapeAndStatus() async throws {
        let f = try TinyServerFixture(); defer { f.cleanup() }
        try await f.withServer({ $0.limits.maxInputs = 2 }) { s in
            let cases: [(String, String, Int, String)] = [
                ("/embed", "{\"inputs\":[]}", 400, "Empty"),
                ("/embed", "{\"inputs\":[\"a\",\"b\",\"c\"]}", 422, "Validation"),
                ("/embed", "{\"inputs\":\"a\",\"dimensions\":0}", 422, "Validation"),
                ("/embed", "{\"inputs\":\"a\",\"truncation_direction\":\"left\"}", 422, "Validation"),
                ("/embed", "{\"inputs\":\"a\",\"prompt_name\":\"query\"}", 422, "Validation"),
                ("/embed", "{\"inputs\":[1,2,3]}", 422, "Validation"),
                ("/embed", "not json", 422, "Validation"),
            ]
            for (path, body, status, type) in cases {
                let reply = try await s.post(path, body)
                #expect(reply.status == status, "\(body): \(reply)")
                #expect(reply.json?["error_type"] as? String == type, "\(body): \(reply)")
                #expect(reply.json?["error"] is String, "\(body): \(reply)")
            }
            // truncate: false refuses a text over the max length (32 here); the default cuts it.
            let long = quoted(Array(repeating: "word", count: 80).joined(separator: " "))
            let refused = try await s.post("/embed", "{\"inputs\":\(long),\"truncate\":false}")
            #expect(refused.status == 422 && refused.json?["error_type"] as? String == "Validation", "\(refused)")
            let cut = try await s.post("/embed", "{\"inputs\":\(long)}")
            #expect(cut.status == 200, "\(cut)")
            // OpenAI's routes keep OpenAI's shape.
            let openai = try await s.post("/v1/embeddings", "{\"input\":[]}")
            #expect(openai.status == 400 && openai.json?["error"] is [String: Any], "\(openai)")
        }
    }

    @Test func similarityEmbedAllTokenizeDecodeInfo() async throws {
        let f = try TinyServerFixture(); defer { f.cleanup() }
        try await f.withServer { s in
            let sim = try await s.post("/similarity", """
                {"inputs": {"source_sentence": \(quoted(texts[0])), "sentences": [\(quoted(texts[1])), \(quoted(texts[0]))]}}
                """)
            #expect(sim.status == 200, "\(sim)")
            let scores = try JSONDecoder().decode([Float].self, from: sim.body)
            let e = try await f.encode(texts)
            let expected = Float(zip(e[0], e[1]).reduce(0) { $0 + Double($1.0) * Double($1.1) })
            #expect(scores.count == 2 && abs(scores[0] - expected) < 1e-5 && abs(scores[1] - 1) < 1e-5, "\(scores)")

            // embed_all: a row per token (special tokens included) whose masked mean is the pooled vector.
            let all = try await s.post("/embed_all", "{\"inputs\":[\(quoted(texts[0])),\(quoted(texts[2]))]}")
            #expect(all.status == 200, "\(all)")
            let tokens = try JSONDecoder().decode([[[Float]]].self, from: all.body)
            let tok = try await s.post("/tokenize", "{\"inputs\":[\(quoted(texts[0])),\(quoted(texts[2]))]}")
            let listed = try #require(array(tok) as? [[[String: Any]]], "\(tok)")
            #expect(tokens.map(\.count) == listed.map(\.count))
            for (i, rows) in tokens.enumerated() {
                var mean = [Double](repeating: 0, count: 32)
                for r in rows { for j in 0..<32 { mean[j] += Double(r[j]) / Double(rows.count) } }
                let n = mean.reduce(0) { $0 + $1 * $1 }.squareRoot()
                let want = e[i == 0 ? 0 : 2]
                for j in 0..<32 { #expect(abs(Float(mean[j] / n) - want[j]) < 1e-4, "embed_all row \(i)") }
            }
            #expect(listed[0].first?["special"] as? Bool == true && listed[0].last?["special"] as? Bool == true)
            #expect(listed[0].dropFirst().first?["special"] as? Bool == false)
            let ids = listed[0].compactMap { $0["id"] as? Int }
            let plain = try await s.post("/tokenize", "{\"inputs\":\(quoted(texts[0])),\"add_special_tokens\":false}")
            #expect((array(plain) as? [[[String: Any]]])?.first?.compactMap { $0["id"] as? Int } == Array(ids.dropFirst().dropLast()))

            let decoded = try await s.post("/decode", "{\"ids\":\(ids)}")
            #expect(decoded.status == 200, "\(decoded)")
            #expect((array(decoded) as? [String])?.first == texts[0], "\(decoded)")
            let bad = try await s.post("/decode", "{\"ids\":[999999]}")
            #expect(bad.status == 422, "\(bad)")

            let info = try await s.get("/info")
            #expect(info.json?["model_id"] as? String == "tiny" && info.json?["max_input_length"] as? Int == 32, "\(info)")
            #expect(((info.json?["model_type"] as? [String: Any])?["embedding"] as? [String: Any])?["pooling"] as? String == "mean")
        }
    }

    @Test func promptNamePrependsTheFoldersPrompt() async throws {
        let f = try TinyServerFixture(); defer { f.cleanup() }
        try Data(#"{"prompts": {"query": "query: ", "passage": "passage: "}, "default_prompt_name": null}"#.utf8)
            .write(to: f.model.appendingPathComponent("config_sentence_transformers.json"))
        try await f.withServer { s in
            let named = try await s.post("/embed", "{\"inputs\":\"how tall is it\",\"prompt_name\":\"query\"}")
            let spelled = try await s.post("/embed", "{\"inputs\":\"query: how tall is it\"}")
            #expect(named.status == 200 && named.body == spelled.body, "\(named) \(spelled)")
            let tokens = try await s.post("/tokenize", "{\"inputs\":\"x\",\"prompt_name\":\"passage\"}")
            let tokensSpelled = try await s.post("/tokenize", "{\"inputs\":\"passage: x\"}")
            #expect(tokens.status == 200 && tokens.body == tokensSpelled.body, "\(tokens) \(tokensSpelled)")
            let unknown = try await s.post("/embed", "{\"inputs\":\"x\",\"prompt_name\":\"doc\"}")
            #expect(unknown.status == 422 && unknown.json?["error"] as? String
                    == "prompt_name \"doc\" is not a prompt of this model (it has \"passage\", \"query\")", "\(unknown)")
        }
    }

    @Test func apiKeyGuardsEveryRouteButHealth() async throws {
        let f = try TinyServerFixture(); defer { f.cleanup() }
        try await f.withServer({ $0.apiKey = "s3cret" }) { s in
            #expect(try await s.get("/health").status == 200)
            for (path, body) in [("/embed", "{\"inputs\":\"a\"}"), ("/v1/embeddings", "{\"input\":\"a\"}"), ("/", "{\"inputs\":\"a\"}")] {
                let none = try await s.post(path, body)
                #expect(none.status == 401, "\(path): \(none)")
                #expect(none.headers["www-authenticate"] == "Bearer")
                let wrong = try await s.post(path, body, headers: ["Authorization": "Bearer s3creT"])
                #expect(wrong.status == 401, "\(path): \(wrong)")
                let right = try await s.post(path, body, headers: ["Authorization": "Bearer s3cret"])
                #expect(right.status == 200, "\(path): \(right)")
            }
            #expect(try await s.get("/metrics").status == 401)
            #expect(try await s.get("/info", headers: ["Authorization": "Bearer s3cret"]).status == 200)
        }
    }

    @Test func concurrencyCapAnswers429AndMetricsCount() async throws {
        let f = try TinyServerFixture(); defer { f.cleanup() }
        try await f.withServer({ c in
            c.limits.maxConcurrentRequests = 1
            c.limits.bodyTimeout = .seconds(600)  // the held request outlives the test's waits
        }) { s in
            // One request held open (its body never completes) takes the only place.
            let held = try LoopbackHTTP.openUnfinishedRequest(port: s.port, "/embed")
            defer { close(held) }
            for _ in 0..<2000 {  // the held request reaches the gate asynchronously (health is not counted)
                if try await s.get("/health").json?["requests_in_flight"] as? Int == 1 { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            let refused = try await s.post("/embed", "{\"inputs\":\"a\"}")
            #expect(refused.status == 429 && refused.headers["retry-after"] == "1", "\(refused)")
            #expect(refused.json?["error_type"] as? String == "Overloaded")
            let metrics = try await s.get("/metrics")  // not counted against the cap
            #expect(metrics.status == 200)
            let text = String(decoding: metrics.body, as: UTF8.self)
            for name in ["te_request_count", "te_request_success", "te_request_duration", "te_request_input_length",
                         "te_queue_size", "te_batch_next_size", "te_batch_next_tokens", "te_request_failure"] {
                #expect(text.contains(name), "\(name) missing from /metrics")
            }
            #expect(text.contains("mirror_bert_http_requests_total{path=\"/embed\",status=\"429\"}"), "\(text.prefix(2000))")
        }
    }
}
