// `mirror-bert serve` as a process: it prints the port it bound (with --port 0), serves, and on
// SIGTERM answers the request in flight before exiting with status 0.

import Foundation
import Testing
import TestSupport

/// Collects a pipe's output on a background thread.
final class PipeCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    init(_ pipe: Pipe) {
        let handle = pipe.fileHandleForReading
        let thread = Thread { [self] in
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                lock.lock(); data.append(chunk); lock.unlock()
            }
        }
        thread.start()
    }
    var text: String { lock.lock(); defer { lock.unlock() }; return String(decoding: data, as: UTF8.self) }
}

/// Starts `mirror-bert serve --host 127.0.0.1 --port 0 args…` and waits (up to 30 s) for the
/// port it prints. The caller terminates the process.
func startServe(_ args: [String]) async throws -> (Process, PipeCollector, Int) {
    let p = Process()
    p.executableURL = MirrorBERTExecutable.url
    p.arguments = ["serve", "--host", "127.0.0.1", "--port", "0"] + args
    let err = Pipe(), out = Pipe()
    p.standardError = err
    p.standardOutput = out
    try p.run()
    let stderr = PipeCollector(err)
    _ = PipeCollector(out)
    func announcedPort() -> Int? {
        guard let range = stderr.text.range(of: #"listening on http://127\.0\.0\.1:(\d+)"#, options: .regularExpression) else { return nil }
        return Int(stderr.text[range].split(separator: ":").last ?? "")
    }
    var port: Int?
    let deadline = Date().addingTimeInterval(30)
    while port == nil && p.isRunning && Date() < deadline {
        port = announcedPort()
        if port == nil { try await Task.sleep(for: .milliseconds(20)) }
    }
    // Once more after the deadline: when parallel tests keep this task from running, the server
    // may have announced its port long before the loop looked again.
    guard let port = port ?? announcedPort() else {
        if p.isRunning { p.terminate() }
        throw HTTPClientError(description: "no 'listening on' line: \(stderr.text)")
    }
    return (p, stderr, port)
}

@Suite(.serialized)
struct ServeExecutableTests {
    @Test func sigtermFinishesTheRequestInFlightThenExits() async throws {
        let f = try TinyServerFixture(); defer { f.cleanup() }
        let (p, stderr, boundPort) = try await startServe(["--model", f.model.path, "--max-length", "32", "--batch-window-ms", "2000",
                                                       "--body-timeout", "600"])
        defer { if p.isRunning { p.terminate() } }
        let deadline = Date().addingTimeInterval(30)
        #expect(stderr.text.contains("model tiny, mean-masked, max length 32"))

        // A request still on its way keeps the batcher waiting (within the window) for it.
        let unfinished = try LoopbackHTTP.openUnfinishedRequest(port: boundPort)
        while (try await LoopbackHTTP.send(port: boundPort, "GET", "/health")).json?["arriving_requests"] as? Int != 1
                && Date() < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        async let inFlight = LoopbackHTTP.post(port: boundPort, "/v1/embeddings", json: "{\"input\": [\"one\", \"two\", \"three\"]}")
        var queued = 0
        while queued < 3 && Date() < deadline {
            queued = (try await LoopbackHTTP.send(port: boundPort, "GET", "/health")).json?["queued_texts"] as? Int ?? 0
            if queued < 3 { try await Task.sleep(for: .milliseconds(5)) }
        }
        #expect(queued == 3, "the request should be waiting in the batching window")
        kill(p.processIdentifier, SIGTERM)
        close(unfinished)  // the request on its way never completes
        let reply = try await inFlight
        #expect(reply.status == 200, "\(reply)")
        #expect((try embeddings(reply)).count == 3)
        let exitDeadline = Date().addingTimeInterval(20)
        while p.isRunning && Date() < exitDeadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(!p.isRunning, "serve did not exit within 20 s of SIGTERM")
        if !p.isRunning {
            #expect(p.terminationReason == .exit && p.terminationStatus == 0, "\(stderr.text)")
            #expect(stderr.text.contains("stopped"))
        }
    }

    @Test func refusesAnIndexFromAnotherModel() throws {
        let f = try TinyServerFixture(); defer { f.cleanup() }
        let other = f.tmp.file("other")
        try makeTinyModel(at: other, seed: 9)
        let corpus = f.tmp.file("corpus.txt"), index = f.tmp.file("c.mbi")
        try Data("one\ntwo\n".utf8).write(to: corpus)
        let built = try MirrorBERTExecutable.run(["index", "--model", other.path, "--input", corpus.path, "--output", index.path])
        #expect(built.status == 0, "\(built)")
        let r = try MirrorBERTExecutable.run(["serve", "--model", f.model.path, "--port", "0", "--index", index.path])
        #expect(r.status != 0)
        #expect(r.stderr.contains("the index was built with model \(other.path)"), "\(r)")
    }
}
