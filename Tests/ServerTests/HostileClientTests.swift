// Hostile clients on raw sockets: a head or a body trickled byte by byte gets 408 at its deadline
// (each byte would reset an idle timer; the deadline does not move), a keep-alive connection may
// idle past the header deadline and is closed by the idle timeout, at --max-connections a new
// connection waits until an open one closes, and a malformed chunked body is the client's error
// (4xx), not the server's. Deadlines are short (0.3–0.5 s) and every wait for the server is long
// (30 s), so a loaded machine slows these tests without failing them.

import Foundation
import Server
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct HostileClientTests {
    @Test func aHeadTrickledLineByLineGets408AtTheHeaderDeadline() async throws {
        let f = try TinyServerFixture(); defer { f.cleanup() }
        try await f.withServer({ c in
            c.limits.headerTimeout = .milliseconds(500)
            c.limits.idleTimeout = .seconds(60)
        }) { s in
            let port = s.port
            let (reply, lines) = try await onThread { () -> (HTTPReply, Int) in
                let socket = try RawSocket(port: port)
                defer { socket.close() }
                _ = socket.send("POST /v1/embeddings HTTP/1.1\r\nHost: x\r\n")
                let lines = socket.trickle { "X-Trickle-\($0): y\r\n" }
                return (try LoopbackHTTP.parse(try socket.readToEOF()), lines)
            }
            #expect(reply.status == 408, "\(reply)")
            #expect(reply.headers["connection"] == "close", "\(reply.headers)")
            #expect(reply.errorMessage.contains("--header-timeout"), "\(reply)")
            // Trickled for 30 s the connection would have outlived the idle timeout's reset by every line.
            #expect(lines < 100, "the server let \(lines) header lines trickle in")
            try await expectMetric(s, "mirror_bert_request_timeouts_total{phase=\"head\"} 1")
            let ok = try await s.post("/v1/embeddings", "{\"input\": \"still serving\"}")
            #expect(ok.status == 200, "\(ok)")
        }
    }

    @Test func aBodyTrickledByteByByteGets408AtTheBodyDeadline() async throws {
        let f = try TinyServerFixture(); defer { f.cleanup() }
        try await f.withServer({ c in
            c.limits.bodyTimeout = .milliseconds(500)
            c.limits.idleTimeout = .seconds(60)
        }) { s in
            let port = s.port
            for path in ["/v1/embeddings", "/embed"] {
                let (reply, bytes) = try await onThread { () -> (HTTPReply, Int) in
                    let socket = try RawSocket(port: port)
                    defer { socket.close() }
                    _ = socket.send("POST \(path) HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                    + "Content-Length: 10000\r\n\r\n{\"input\": \"")
                    let bytes = socket.trickle { _ in "a" }
                    return (try LoopbackHTTP.parse(try socket.readToEOF()), bytes)
                }
                #expect(reply.status == 408, "\(path): \(reply)")
                #expect(bytes < 100, "\(path): the server let \(bytes) body bytes trickle in")
                if path == "/embed" {
                    // TEI's error shape on TEI's routes.
                    #expect(reply.json?["error_type"] as? String == "Validation", "\(reply)")
                    let message = reply.json?["error"] as? String ?? ""
                    #expect(message.contains("--body-timeout"), "\(reply)")
                } else {
                    #expect((reply.json?["error"] as? [String: Any])?["code"] as? String == "request_timeout", "\(reply)")
                }
                // The route, whose body read failed, counts its request as the 408 it was answered with.
                try await expectMetric(s, "mirror_bert_http_requests_total{path=\"\(path)\",status=\"408\"} 1")
            }
            try await expectMetric(s, "mirror_bert_request_timeouts_total{phase=\"body\"} 2")
        }
    }

    @Test func aBodyNeverFinishedAfterAnEarly413OnlyClosesTheConnection() async throws {
        let f = try TinyServerFixture(); defer { f.cleanup() }
        try await f.withServer({ c in
            c.limits.maxBodyBytes = 1024
            c.limits.bodyTimeout = .milliseconds(500)
        }) { s in
            let port = s.port
            let (reply, after) = try await onThread { () -> (HTTPReply?, Data) in
                let socket = try RawSocket(port: port)
                defer { socket.close() }
                _ = socket.send("POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                + "Content-Length: 100000\r\n\r\n{\"input\": \"")
                return (try socket.readReply(), try socket.readToEOF())
            }
            #expect(reply?.status == 413, "\(String(describing: reply))")
            #expect(after.isEmpty, "a second answer after the 413: \(String(decoding: after, as: UTF8.self))")
            // The request was answered in full: closing its connection cut nothing short.
            try await expectMetric(s, "mirror_bert_request_timeouts_total{phase=\"body\"} 0")
        }
    }

    @Test func aKeepAliveConnectionMayIdlePastTheHeaderDeadlineUntilTheIdleTimeout() async throws {
        let f = try TinyServerFixture(); defer { f.cleanup() }
        try await f.withServer({ c in
            c.limits.headerTimeout = .milliseconds(300)
            c.limits.idleTimeout = .seconds(4)
        }) { s in
            let port = s.port
            let (first, second, after) = try await onThread { () -> (HTTPReply?, HTTPReply?, Data) in
                let socket = try RawSocket(port: port)
                defer { socket.close() }
                let request = "POST /embed HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n"
                    + "{\"inputs\":\"hi\"}"
                _ = socket.send(request)
                let first = try socket.readReply()
                Thread.sleep(forTimeInterval: 1.2)  // four header deadlines without a byte: only idle
                _ = socket.send(request)
                let second = try socket.readReply()
                return (first, second, try socket.readToEOF())  // then the idle timeout closes it
            }
            #expect(first?.status == 200, "\(String(describing: first))")
            #expect(second?.status == 200, "\(String(describing: second))")
            #expect(after.isEmpty, "an idle connection was sent \(after.count) bytes before it was closed")
            try await expectMetric(s, "mirror_bert_request_timeouts_total{phase=\"head\"} 0")
        }
    }

    @Test func atMaxConnectionsANewConnectionWaitsUntilOneCloses() async throws {
        let f = try TinyServerFixture(); defer { f.cleanup() }
        try await f.withServer({ c in c.limits.maxConnections = 2 }) { s in
            let port = s.port
            let (held, waited, served) = try await onThread { () -> ([Int], Data, HTTPReply?) in
                let health = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n"
                // Two keep-alive connections, each answered once (so each was accepted), then held.
                let open = try (0..<2).map { _ in try RawSocket(port: port) }
                defer { open.forEach { $0.close() } }
                let held = try open.map { socket -> Int in
                    _ = socket.send(health)
                    return try socket.readReply()?.status ?? 0
                }
                // The third connects (the kernel's backlog) but is not accepted while both are open.
                let third = try RawSocket(port: port)
                defer { third.close() }
                _ = third.send(health)
                let waited = third.available(within: 1.0)
                open[0].close()
                return (held, waited, waited.isEmpty ? try third.readReply() : nil)
            }
            #expect(held == [200, 200])
            #expect(waited.isEmpty, "the third connection was answered while two were open: \(waited.count) bytes")
            #expect(served?.status == 200, "\(String(describing: served))")
        }
    }

    @Test func malformedChunkedBodiesAreTheClientsError() async throws {
        let f = try TinyServerFixture(); defer { f.cleanup() }
        try await f.withServer { s in
            let port = s.port
            let head = "POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n"
            let bodies = ["zz\r\n{}\r\n0\r\n\r\n",                       // a size that is not hex
                          "ffffffffffffffffffffffff\r\nab\r\n0\r\n\r\n",  // a size that overflows
                          "3\r\n{}xyz\r\n0\r\n\r\n",                      // data longer than its size
                          "20\r\n{\"input\": \"x"]                          // cut short by the client
            for body in bodies {
                let reply = try await onThread { () -> HTTPReply in
                    let socket = try RawSocket(port: port)
                    defer { socket.close() }
                    _ = socket.send(head + body)
                    socket.shutdownWrite()
                    return try LoopbackHTTP.parse(try socket.readToEOF())
                }
                // Once answered 500 ("invalid character in chunk size header" as a server error).
                #expect(reply.status == 400, "\(body.debugDescription): \(reply)")
                #expect(reply.errorMessage.contains("not valid HTTP/1.1"), "\(reply)")
            }
            let ok = try await s.post("/v1/embeddings", "{\"input\": \"still serving\"}", chunked: true)
            #expect(ok.status == 200, "\(ok)")
        }
    }
}

// MARK: - Support

/// Waits (30 s at most) until GET /metrics has the line `line`.
private func expectMetric(_ s: RunningServer, _ line: String) async throws {
    let deadline = Date().addingTimeInterval(30)
    var text = ""
    repeat {
        text = try await s.get("/metrics").text
        if text.split(separator: "\n").contains(where: { $0 == line }) { return }
        try await Task.sleep(for: .milliseconds(20))
    } while Date() < deadline
    Issue.record("no metric line \(line) in:\n\(text.split(separator: "\n").filter { $0.hasPrefix("mirror_bert") }.joined(separator: "\n"))")
}

/// Runs blocking socket work on a thread of its own (never on the cooperative pool the server needs).
private func onThread<T>(_ body: @escaping () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}

/// A client socket to 127.0.0.1 that sends whatever it is told, with 30 s receive timeouts.
private final class RawSocket {
    private var fd: Int32

    init(port: Int) throws { fd = try LoopbackHTTP.connectLoopback(port: port, timeout: 30) }

    func close() {
        if fd >= 0 { closeDescriptor(fd) }
        fd = -1
    }

    /// Ends what this side sends (the server sees the end of its input).
    func shutdownWrite() { _ = shutdown(fd, Int32(SHUT_WR)) }

    /// Sends all of `text`; false once the server has closed the connection.
    func send(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { sendWithoutSignal(fd, $0.baseAddress! + sent, bytes.count - sent) }
            if n <= 0 { return false }
            sent += n
        }
        return true
    }

    /// Sends `piece(i)` every 100 ms until the server answers or closes (30 s at most); the count sent.
    func trickle(_ piece: (Int) -> String) -> Int {
        var count = 0
        let giveUp = Date().addingTimeInterval(30)
        while Date() < giveUp && !readable(within: 0.1) && send(piece(count)) { count += 1 }
        return count
    }

    func readable(within seconds: Double) -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&p, 1, Int32(seconds * 1000)) > 0
    }

    /// What arrives within `seconds` (empty if nothing).
    func available(within seconds: Double) -> Data {
        guard readable(within: seconds) else { return Data() }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let n = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
        return n > 0 ? Data(buffer[0..<n]) : Data()
    }

    /// Everything until the server closes the connection (a reset counts as a close).
    func readToEOF() throws -> Data {
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n > 0 { received.append(contentsOf: buffer[0..<n]); continue }
            if n == 0 || errno == ECONNRESET { return received }
            if errno == EINTR { continue }
            throw HTTPClientError(description: "recv: \(String(cString: strerror(errno))) after \(received.count) bytes")
        }
    }

    /// One reply on a keep-alive connection (head and Content-Length body); nil if closed first.
    func readReply() throws -> HTTPReply? {
        var received = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            if let end = headEnd(received) {
                let head = String(decoding: received[0..<end], as: UTF8.self).lowercased()
                let length = head.components(separatedBy: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                if received.count >= end + 4 + length { return try LoopbackHTTP.parse(Data(received[0..<(end + 4 + length)])) }
            }
            let n = recv(fd, &buffer, buffer.count, 0)
            if n > 0 { received += buffer[0..<n]; continue }
            if n == 0 || errno == ECONNRESET { return nil }
            if errno == EINTR { continue }
            throw HTTPClientError(description: "recv: \(String(cString: strerror(errno))) after \(received.count) bytes")
        }
    }

    private func headEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        return (0...(bytes.count - 4)).first { bytes[$0..<($0 + 4)].elementsEqual([13, 10, 13, 10]) }
    }
}

private func closeDescriptor(_ fd: Int32) { _ = close(fd) }

/// send(2) without SIGPIPE (the server closes these connections while they send).
private func sendWithoutSignal(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.send(fd, p, n, Int32(MSG_NOSIGNAL))
    #else
    return Darwin.send(fd, p, n, 0)
    #endif
}
