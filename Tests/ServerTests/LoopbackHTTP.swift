// A minimal blocking HTTP/1.1 client for 127.0.0.1 only, with socket timeouts so no test can
// hang. Requests run on their own threads (never on Swift's cooperative pool, which the
// in-process server needs).

import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct HTTPReply: CustomStringConvertible, Sendable {
    let status: Int
    let headers: [String: String]  // lowercased names
    let body: Data

    var text: String { String(decoding: body, as: UTF8.self) }
    var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }
    var errorMessage: String { ((json?["error"] as? [String: Any])?["message"] as? String) ?? "" }
    var description: String { "HTTP \(status): \(text.prefix(500))" }
}

struct HTTPClientError: Error, CustomStringConvertible {
    let description: String
}

enum LoopbackHTTP {
    /// Opens a POST to `path` that declares a body it does not finish sending, so the server's
    /// handler has started and waits (the server counts it as arriving); close the returned socket
    /// to end it.
    static func openUnfinishedRequest(port: Int, _ path: String = "/v1/embeddings") throws -> Int32 {
        let fd = try connectLoopback(port: port)
        let head = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"input\""
        _ = head.utf8CString.withUnsafeBytes { systemSend(fd, $0.baseAddress!, $0.count - 1) }
        return fd
    }

    /// A TCP socket connected to 127.0.0.1:`port` (send and receive time out after `timeout` s).
    static func connectLoopback(port: Int, timeout: Double = 20) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HTTPClientError(description: "socket: \(String(cString: strerror(errno)))") }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { close(fd); throw HTTPClientError(description: "connect: \(String(cString: strerror(errno)))") }
        return fd
    }

    /// Sends one request to 127.0.0.1:`port` and reads the reply (Connection: close).
    /// `chunked` sends the body with Transfer-Encoding: chunked instead of Content-Length.
    static func request(port: Int, _ method: String, _ path: String, body: Data? = nil, chunked: Bool = false,
                        headers: [String: String] = [:], timeout: Double = 20) throws -> HTTPReply {
        let fd = try connectLoopback(port: port, timeout: timeout)
        defer { close(fd) }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { head += "\(name): \(value)\r\n" }
        var payload = Data()
        if let body {
            head += "Content-Type: application/json\r\n"
            if chunked {
                head += "Transfer-Encoding: chunked\r\n"
                payload = Data((String(body.count, radix: 16) + "\r\n").utf8) + body + Data("\r\n0\r\n\r\n".utf8)
            } else {
                head += "Content-Length: \(body.count)\r\n"
                payload = body
            }
        }
        let bytes = Data((head + "\r\n").utf8) + payload
        // A server may answer (e.g. 413) and close before taking the whole body: then read its reply.
        _ = bytes.withUnsafeBytes { raw -> Bool in
            var sent = 0
            while sent < raw.count {
                let n = systemSend(fd, raw.baseAddress! + sent, raw.count - sent)
                if n <= 0 { return false }
                sent += n
            }
            return true
        }
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n > 0 { received.append(contentsOf: buffer[0..<n]); continue }
            if n == 0 || errno == ECONNRESET { break }
            if errno == EINTR { continue }
            throw HTTPClientError(description: "recv: \(String(cString: strerror(errno))) after \(received.count) bytes")
        }
        return try parse(received)
    }

    /// `request` on a new thread, awaited without blocking the cooperative pool.
    static func send(port: Int, _ method: String, _ path: String, body: Data? = nil, chunked: Bool = false,
                     headers: [String: String] = [:]) async throws -> HTTPReply {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result {
                    try request(port: port, method, path, body: body, chunked: chunked, headers: headers)
                })
            }
            thread.start()
        }
    }

    static func post(port: Int, _ path: String, json: String, chunked: Bool = false,
                     headers: [String: String] = [:]) async throws -> HTTPReply {
        try await send(port: port, "POST", path, body: Data(json.utf8), chunked: chunked, headers: headers)
    }

    static func parse(_ data: Data) throws -> HTTPReply {
        let bytes = [UInt8](data)
        guard let end = (0..<max(0, bytes.count - 3)).first(where: { bytes[$0..<($0 + 4)].elementsEqual([13, 10, 13, 10]) }) else {
            throw HTTPClientError(description: "no complete HTTP head in \(bytes.count) bytes")
        }
        let lines = String(decoding: bytes[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
            throw HTTPClientError(description: "bad status line \(lines[0])")
        }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Array(bytes[(end + 4)...])
        if headers["transfer-encoding"]?.lowercased() == "chunked" {
            var out: [UInt8] = [], i = 0
            while let lineEnd = (i..<max(i, body.count - 1)).first(where: { body[$0] == 13 && body[$0 + 1] == 10 }),
                  let size = Int(String(decoding: body[i..<lineEnd], as: UTF8.self), radix: 16), size > 0,
                  lineEnd + 2 + size <= body.count {
                out += body[(lineEnd + 2)..<(lineEnd + 2 + size)]
                i = lineEnd + 2 + size + 2
            }
            body = out
        } else if let length = headers["content-length"].flatMap({ Int($0) }) {
            guard body.count >= length else { throw HTTPClientError(description: "body has \(body.count) of \(length) bytes") }
            body = Array(body.prefix(length))
        }
        return HTTPReply(status: status, headers: headers, body: Data(body))
    }
}

/// send(2) without SIGPIPE.
private func systemSend(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.send(fd, p, n, Int32(MSG_NOSIGNAL))
    #else
    return Darwin.send(fd, p, n, 0)
    #endif
}
