// Bad requests get 4xx answers that say what is wrong (and which limit, with its value); the
// server keeps serving afterwards.

import Foundation
import Server
import Testing

struct RobustnessTests {
    @Test func malformedJSONGets400AndTheServerCarriesOn() async throws {
        let f = try TinyServerFixture(); defer { f.cleanup() }
        try await f.withServer { s in
            let cases: [(body: String, message: String)] = [
                ("", "the request body is empty"),
                ("{\"input\": ", "not valid JSON"),
                ("{\"input\": \"x\"", "not valid JSON"),
                ("\u{FF}\u{FE}", "not valid JSON"),
                ("[\"x\"]", "must be a JSON object"),
                ("\"x\"", "must be a JSON object"),
                ("{}", "missing \"input\""),
                ("{\"input\": null}", "\"input\" must be a string or an array of strings"),
                ("{\"input\": [1, 2]}", "token arrays are not supported"),
                ("{\"input\": []}", "\"input\" is an empty array"),
                ("{\"input\": {\"a\": 1}}", "\"input\" must be a string"),
                ("{\"input\": \"x\", \"encoding_format\": \"int8\"}", "encoding_format must be \"float\" or \"base64\""),
                ("{\"input\": \"x\", \"encoding_format\": 3}", "\"encoding_format\" must be"),
                ("{\"input\": \"x\", \"dimensions\": 33}", "dimensions 33 is more than this model's 32"),
                ("{\"input\": \"x\", \"dimensions\": 0}", "dimensions must be positive"),
                ("{\"input\": \"x\", \"model\": 7}", "\"model\" must be a string"),
            ]
            for c in cases {
                let r = try await s.post("/v1/embeddings", c.body)
                #expect(r.status == 400, "\(c.body): \(r)")
                #expect(r.errorMessage.contains(c.message), "\(c.body): \(r.errorMessage)")
                #expect((r.json?["error"] as? [String: Any])?["type"] as? String == "invalid_request_error")
            }
            let similarity: [(body: String, message: String)] = [
                ("{\"pairs\": [[\"a\"]]}", "pairs[0] has 1 strings; each pair must have exactly 2"),
                ("{\"pairs\": [[\"a\", \"b\", \"c\"]]}", "pairs[0] has 3 strings"),
                ("{\"pairs\": []}", "\"pairs\" is empty"),
                ("{\"pairs\": \"a\"}", "\"pairs\" must be an array of [string, string] pairs"),
                ("{\"text\": \"a\"}", "missing \"pairs\""),
            ]
            for c in similarity {
                let r = try await s.post("/v1/similarity", c.body)
                #expect(r.status == 400 && r.errorMessage.contains(c.message), "\(c.body): \(r)")
            }
            let ok = try await s.post("/v1/embeddings", "{\"input\": \"still alive\"}")
            #expect(ok.status == 200, "\(ok)")
        }
    }

    @Test func errorsQuoteAtMostAShortPrefixOfWhatTheClientSent() async throws {
        let f = try TinyServerFixture(); defer { f.cleanup() }
        try await f.withServer { s in
            let long = String(repeating: "m", count: 100_000)
            let cases = [("/v1/embeddings", "{\"input\": \"x\", \"model\": \"\(long)\"}"),
                         ("/v1/embeddings", "{\"input\": \"x\", \"encoding_format\": \"\(long)\"}"),
                         ("/embed", "{\"inputs\": \"x\", \"prompt_name\": \"\(long)\"}")]
            for (path, body) in cases {
                let r = try await s.post(path, body)
                #expect(r.status >= 400 && r.status < 500, "\(r)")
                #expect(r.body.count < 600, "\(path): a \(r.body.count)-byte answer echoes the 100,000-character value")
                #expect(r.text.contains("… (100000 characters)"), "\(r)")
            }
            let path = "/" + String(repeating: "p", count: 5000)
            let unknown = try await s.get(path)
            #expect(unknown.status == 404 && unknown.body.count < 1000, "\(unknown.status), \(unknown.body.count) bytes")
        }
    }

    @Test func limitsOnCountLengthAndBodySize() async throws {
        let f = try TinyServerFixture(); defer { f.cleanup() }
        try await f.withServer({ c in
            c.limits.maxInputs = 4
            c.limits.maxTextLength = 50
            c.limits.maxBodyBytes = 1024
        }) { s in
            let five = try await s.post("/v1/embeddings", "{\"input\": [\"a\",\"b\",\"c\",\"d\",\"e\"]}")
            #expect(five.status == 400, "\(five)")
            #expect(five.errorMessage.contains("\"input\" has 5 texts; the limit is 4 texts per request (--max-inputs)"), "\(five)")
            #expect((five.json?["error"] as? [String: Any])?["code"] as? String == "too_many_inputs")
            let four = try await s.post("/v1/embeddings", "{\"input\": [\"a\",\"b\",\"c\",\"d\"]}")
            #expect(four.status == 200, "\(four)")

            let pairs = try await s.post("/v1/similarity", "{\"pairs\": [[\"a\",\"b\"],[\"c\",\"d\"],[\"e\",\"f\"]]}")
            #expect(pairs.status == 400 && pairs.errorMessage.contains("3 pairs (6 texts); the limit is 4 texts"), "\(pairs)")

            // 50 characters are fine, 51 are not — counted in Unicode scalars, not bytes.
            let fifty = String(repeating: "é", count: 50), fiftyOne = String(repeating: "é", count: 51)
            let okLength = try await s.post("/v1/embeddings", "{\"input\": [\"x\", \(quoted(fifty))]}")
            #expect(okLength.status == 200, "\(okLength)")
            let long = try await s.post("/v1/embeddings", "{\"input\": [\"x\", \(quoted(fiftyOne))]}")
            #expect(long.status == 400, "\(long)")
            #expect(long.errorMessage.contains("input[1] is longer than the limit of 50 characters (--max-text-length)"), "\(long)")

            let big = "{\"input\": \"" + String(repeating: "a", count: 2000) + "\"}"
            for chunked in [false, true] {
                let r = try await s.post("/v1/embeddings", big, chunked: chunked)
                #expect(r.status == 413, "chunked \(chunked): \(r)")
                #expect(r.errorMessage.contains("request body exceeds the limit of 1024 bytes (--max-body-bytes)"), "\(r)")
            }
            let ok = try await s.get("/health")
            #expect(ok.status == 200)
        }
    }

    @Test func aFullQueueAnswers503() async throws {
        let f = try TinyServerFixture(); defer { f.cleanup() }
        // A long batching window, and a request on its way, keep the first request queued while
        // the second arrives (the window is long because a loaded CI machine can take seconds
        // between two requests; closing the request on its way ends the wait).
        try await f.withServer({ c in
            c.limits.maxQueuedTexts = 4
            c.limits.maxInputs = 4
            c.batchWindowSeconds = 60
            c.limits.bodyTimeout = .seconds(600)  // the unfinished request outlives the test's waits
        }) { s in
            // A request still on its way keeps the batcher waiting (within the window) for it.
            let unfinished = try LoopbackHTTP.openUnfinishedRequest(port: s.port)
            var open = true
            defer { if open { close(unfinished) } }
            let deadline = Date().addingTimeInterval(50)
            while (try await s.get("/health")).json?["arriving_requests"] as? Int != 1 && Date() < deadline {
                try await Task.sleep(for: .milliseconds(5))
            }
            async let first = s.post("/v1/embeddings", "{\"input\": [\"a\", \"b\", \"c\"]}")
            var queued = 0
            while queued < 3 && Date() < deadline {
                queued = (try await s.get("/health")).json?["queued_texts"] as? Int ?? 0
                if queued < 3 { try await Task.sleep(for: .milliseconds(5)) }
            }
            #expect(queued == 3)
            let second = try await s.post("/v1/embeddings", "{\"input\": [\"d\", \"e\"]}")
            #expect(second.status == 503, "\(second)")
            #expect(second.errorMessage.contains("queue is full (3 texts waiting, limit 4 (--max-queue))"), "\(second)")
            #expect(second.headers["retry-after"] == "1")
            async let one = s.post("/v1/embeddings", "{\"input\": \"d\"}")  // fits: 3 + 1 ≤ 4
            while (try await s.get("/health")).json?["queued_texts"] as? Int != 4 && Date() < deadline {
                try await Task.sleep(for: .milliseconds(5))
            }
            close(unfinished)  // the request on its way gives up: the batcher stops waiting
            open = false
            let (firstReply, oneReply) = try await (first, one)
            #expect(oneReply.status == 200, "\(oneReply)")
            #expect(firstReply.status == 200, "\(firstReply)")
        }
    }
}
