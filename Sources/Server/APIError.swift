// Errors the API answers with, in OpenAI's shape on OpenAI's routes:
// {"error": {"message": "...", "type": "invalid_request_error", "param": "input" | null, "code": "..." | null}}
// and in Text Embeddings Inference's on TEI's (router/src/lib.rs ErrorResponse, with TEI's statuses:
// Validation 422, Empty 400, Overloaded 429, Unhealthy 503, Backend 424):
// {"error": "...", "error_type": "Validation" | "Empty" | "Overloaded" | "Unhealthy" | "Backend"}

import JSON
import Search

/// A value a client sent, as an error message or log quotes it: at most its first 64 characters,
/// then how long it was (a 100,000-character field is not sent back whole).
func echoed(_ value: some StringProtocol) -> String {
    let limit = 64
    guard value.count > limit else { return String(value) }
    return String(value.prefix(limit)) + "… (\(value.count) characters)"
}

struct APIError: Error {
    /// HTTP status code.
    let status: Int
    let type: String
    let code: String?
    let param: String?
    let message: String

    static func invalid(_ message: String, param: String? = nil, code: String? = nil) -> APIError {
        APIError(status: 400, type: "invalid_request_error", code: code, param: param, message: message)
    }

    static func bodyTooLarge(limit: Int) -> APIError {
        APIError(status: 413, type: "invalid_request_error", code: "body_too_large", param: nil,
                 message: "request body exceeds the limit of \(limit) bytes (--max-body-bytes)")
    }

    static func busy(queued: Int, limit: Int) -> APIError {
        APIError(status: 503, type: "server_busy", code: "queue_full", param: nil,
                 message: "the embedding queue is full (\(queued) texts waiting, limit \(limit) (--max-queue)); retry later")
    }

    static let shuttingDown = APIError(status: 503, type: "server_busy", code: "shutting_down", param: nil,
                                       message: "the server is shutting down")

    static func tooManyRequests(limit: Int) -> APIError {
        APIError(status: 429, type: "server_busy", code: "too_many_requests", param: nil,
                 message: "the server is answering its limit of \(limit) concurrent requests (--max-concurrent-requests); retry later")
    }

    /// A request's head or body missed its deadline (RequestDeadlineHandler); the connection closes.
    static func requestTimeout(phase: RequestDeadlineHandler.Phase, seconds: Double) -> APIError {
        let what = phase == .head ? "the request's head did not arrive" : "the request's body did not arrive"
        let flag = phase == .head ? "--header-timeout" : "--body-timeout"
        return APIError(status: 408, type: "invalid_request_error", code: "request_timeout", param: nil,
                        message: "\(what) within \(seconds) s (\(flag)); the connection is closed")
    }

    static let unauthorized = APIError(status: 401, type: "invalid_request_error", code: "invalid_api_key", param: nil,
                                       message: "missing or wrong API key: send \"Authorization: Bearer <key>\"")

    static func notFound(_ message: String, code: String? = nil) -> APIError {
        APIError(status: 404, type: "invalid_request_error", code: code, param: nil, message: message)
    }

    static func `internal`(_ message: String) -> APIError {
        APIError(status: 500, type: "server_error", code: nil, param: nil, message: message)
    }

    /// TEI's status and error type for this error. Our 400s are TEI's validation errors (422) but
    /// for empty inputs (400 "Empty"); a full queue keeps its 503 (TEI has no queue limit).
    var tei: (status: Int, type: String) {
        switch status {
        case 400: return code == "empty_input" ? (400, "Empty") : (422, "Validation")
        case 401: return (401, "Unauthorized")
        case 413, 404, 408: return (status, "Validation")
        case 429: return (429, "Overloaded")
        case 503: return (503, code == "shutting_down" ? "Unhealthy" : "Overloaded")
        default: return (status, "Backend")
        }
    }

    /// {"error": message, "error_type": type}
    var teiJSON: [UInt8] {
        var w = JSONWriter()
        w.raw("{"); w.key("error"); w.string(message); w.raw(","); w.key("error_type"); w.string(tei.type); w.raw("}")
        return w.bytes
    }

    var json: [UInt8] {
        var w = JSONWriter()
        w.raw("{"); w.key("error"); w.raw("{")
        w.key("message"); w.string(message); w.raw(",")
        w.key("type"); w.string(type); w.raw(",")
        w.key("param"); if let param { w.string(param) } else { w.raw("null") }; w.raw(",")
        w.key("code"); if let code { w.string(code) } else { w.raw("null") }
        w.raw("}}")
        return w.bytes
    }
}
