// Concurrent clients are batched into shared forward passes and each gets its own vectors, equal
// (to float rounding) to `mirror-bert encode --normalize`; shutdown answers in-flight requests.

import Foundation
import Server
import Testing
import TestSupport

struct ConcurrencyTests {
    @Test func thirtyTwoConcurrentClientsGetTheirOwnVectors() async throws {
        let f = try TinyServerFixture(); defer { f.cleanup() }
        let texts = (0..<32).map { i in
            "client \(i): " + String(repeating: ["a man plays", "the cat sat", "rain falls", "dogs run"][i % 4] + " ", count: 1 + i % 5)
        }
        let expected = try await f.encode(texts)
        // A window long enough that the clients' requests meet in few batches.
        try await f.withServer({ c in c.batchWindowSeconds = 0.2 }) { s in
            let replies = try await withThrowingTaskGroup(of: (Int, HTTPReply).self) { group in
                for (i, text) in texts.enumerated() {
                    group.addTask { (i, try await s.post("/v1/embeddings", "{\"input\": [\(quoted(text))]}")) }
                }
                var out = [HTTPReply?](repeating: nil, count: texts.count)
                for try await (i, reply) in group { out[i] = reply }
                return out.compactMap { $0 }
            }
            #expect(replies.count == 32)
            for (i, reply) in replies.enumerated() {
                #expect(reply.status == 200, "client \(i): \(reply)")
                let v = try embeddings(reply)
                #expect(v.count == 1)
                // Batched with other texts, rows are packed differently: equal up to rounding (in bf16,
                // a last-bit difference can flip a later rounding: bf16 level).
                let c = closeness("client \(i)", v.first ?? [], expected[i], atol: commandLinePrecision == .bf16 ? 2e-3 : 2e-6, rtol: 0)
                #expect(c.ok, "\(c)")
            }
            let health = try await s.get("/health").json ?? [:]
            let batches = health["batches"] as? Int ?? 0
            #expect(health["embedded_texts"] as? Int == 32)
            #expect(batches >= 1 && batches < 32, "32 concurrent requests ran in \(batches) batches; expected them to share batches")
        }
    }

    @Test func gracefulShutdownAnswersInFlightRequests() async throws {
        let f = try TinyServerFixture(); defer { f.cleanup() }
        // A long batching window, and a request on its way, keep the request in flight while the
        // shutdown starts (long: a loaded CI machine can take seconds between two requests;
        // closing the request on its way ends the wait).
        let s = try await f.start { c in
            c.batchWindowSeconds = 60
            c.limits.bodyTimeout = .seconds(600)  // the unfinished request outlives the test's waits
        }
        let unfinished = try LoopbackHTTP.openUnfinishedRequest(port: s.port)
        let deadline = Date().addingTimeInterval(50)
        while (try await s.get("/health")).json?["arriving_requests"] as? Int != 1 && Date() < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        async let inFlight = s.post("/v1/embeddings", "{\"input\": [\"in flight\", \"during shutdown\"]}")
        var queued = 0
        while queued < 2 && Date() < deadline {
            queued = (try await s.get("/health")).json?["queued_texts"] as? Int ?? 0
            if queued < 2 { try await Task.sleep(for: .milliseconds(5)) }
        }
        #expect(queued == 2, "the request should be waiting in the batching window")
        async let stopping = s.stop()
        try await Task.sleep(for: .milliseconds(100))
        close(unfinished)  // the request on its way never completes
        let stopped = try await stopping
        #expect(stopped, "the server did not stop within the timeout")
        let reply = try await inFlight
        #expect(reply.status == 200, "\(reply)")
        #expect((try embeddings(reply)).count == 2)
        // Stopped: new connections are refused.
        #expect(throws: HTTPClientError.self) { try LoopbackHTTP.request(port: s.port, "GET", "/health", timeout: 5) }
    }
}
