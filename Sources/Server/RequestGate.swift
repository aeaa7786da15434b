// What every request passes before its handler: the API key (when set; GET /health is open, as
// load balancers probe it) compared in constant time, and the cap on requests answered at once
// (TEI's --max-concurrent-requests: 429 with Retry-After beyond it; health and metrics are not
// counted, so a busy server can still be watched).

import Foundation
import Hummingbird

final class RequestGate: @unchecked Sendable {
    private let expected: [UInt8]?
    let maxConcurrent: Int
    private let lock = NSLock()
    private var inFlight = 0  // guarded by lock

    init(apiKey: String?, maxConcurrent: Int) {
        expected = apiKey.map { Array("Bearer \($0)".utf8) }
        self.maxConcurrent = maxConcurrent
    }

    /// Whether `header` (the Authorization value) carries the key. The time taken depends on the
    /// lengths only, never on where the bytes first differ.
    func authorizes(_ header: String?) -> Bool {
        guard let expected else { return true }
        let given = Array((header ?? "").utf8)
        var difference = UInt8(given.count == expected.count ? 0 : 1)
        for i in 0..<expected.count { difference |= expected[i] ^ (i < given.count ? given[i] : 0) }
        return difference == 0
    }

    /// Takes a place among the requests in flight; false when all are taken.
    func enter() -> Bool {
        lock.withLock {
            guard inFlight < maxConcurrent else { return false }
            inFlight += 1
            return true
        }
    }

    func leave() { lock.withLock { inFlight -= 1 } }

    var current: Int { lock.withLock { inFlight } }
}

struct GateMiddleware<Context: RequestContext>: RouterMiddleware {
    let gate: RequestGate

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if request.method == .get && path == "/health" { return try await next(request, context) }
        guard gate.authorizes(request.headers[.authorization]) else { throw APIError.unauthorized }
        if request.method == .get && path == "/metrics" { return try await next(request, context) }
        guard gate.enter() else { throw APIError.tooManyRequests(limit: gate.maxConcurrent) }
        defer { gate.leave() }
        return try await next(request, context)
    }
}
