// The outermost middleware: every answer is counted in the metrics by route and status, and,
// with a logger, written as one structured line (swift-log metadata: method, path, status,
// duration in ms, bytes of the request body as declared). Paths outside the known routes are
// counted as "other", so a client cannot grow the metrics without bound.

import Foundation
import Hummingbird
import Logging

struct AccessMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics
    let logger: Logger?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let response = try await next(request, context)  // the error middleware inside turns errors into answers
        let status = Int(response.status.code)
        let route = TEIRoute.known.contains(request.uri.path) ? request.uri.path : "other"
        metrics.answered(path: route, status: status, failure: status >= 400 ? Self.failureKind(status) : nil)
        if let logger {
            let elapsed = ContinuousClock.now - started
            let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
            logger.info("request", metadata: [
                "method": "\(request.method)", "path": "\(echoed(request.uri.path))", "status": "\(status)",
                "duration_ms": "\(String(format: "%.2f", ms))",
                "content_length": "\(request.headers[.contentLength] ?? "-")",
            ])
        }
        return response
    }

    /// TEI's te_request_failure label for a failed answer.
    static func failureKind(_ status: Int) -> String {
        switch status {
        case 401: return "unauthorized"
        case 413: return "payload_limit"
        case 429, 503: return "overloaded"
        case 400..<500: return "validation"
        default: return "backend"
        }
    }
}
