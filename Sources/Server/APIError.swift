// Errors the API answers with, in OpenAI's shape:
// {"error": {"message": "...", "type": "invalid_request_error", "param": "input" | null, "code": "..." | null}}

import JSON
import Search

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

    static func notFound(_ message: String, code: String? = nil) -> APIError {
        APIError(status: 404, type: "invalid_request_error", code: code, param: nil, message: message)
    }

    static func `internal`(_ message: String) -> APIError {
        APIError(status: 500, type: "server_error", code: nil, param: nil, message: message)
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
