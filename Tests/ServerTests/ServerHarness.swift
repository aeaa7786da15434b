// Starts an in-process server on a free 127.0.0.1 port (port 0) with a tiny random model and
// stops it gracefully, with bounded waits throughout.

import Foundation
import JSON
import Models
import Search
import Server
import Testing
import TestSupport

/// A small random BERT with the tiny WordPiece tokenizer fixture.
func makeTinyModel(at dir: URL, seed: UInt64 = 1) throws {
    try TinyModelFactory.make(at: dir, tokenizerFrom: TestPaths.fixture("tokenizers/tiny-uncased"), vocabSize: 276,
                              seed: seed)
}

final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Int?
    func set(_ v: Int) { lock.lock(); if value == nil { value = v }; lock.unlock() }
    var get: Int? { lock.lock(); defer { lock.unlock() }; return value }
}

final class RunningServer {
    let server: EmbeddingServer
    let port: Int
    let task: Task<Void, Error>
    private let finished: Flag

    /// Starts `server`; throws if it does not listen within `timeout` seconds (generous: under
    /// `swift test` the server task waits for a cooperative thread while other suites compute).
    /// High priority: Swift Testing enqueues every test at once, and on 2 cores a server task at
    /// the tests' priority waited behind all the synchronous ones (once for 120 s in a debug run).
    init(_ server: EmbeddingServer, timeout: Double = 120) async throws {
        let listening = Flag(), finished = Flag()
        self.server = server
        self.finished = finished
        task = Task(priority: .high) {
            defer { finished.set(1) }
            try await server.run(handleSignals: false) { _, port in listening.set(port) }
        }
        let deadline = Date().addingTimeInterval(timeout)
        while listening.get == nil && finished.get == nil && Date() < deadline { try await Task.sleep(for: .milliseconds(10)) }
        guard let port = listening.get else {
            task.cancel()
            if finished.get != nil { _ = try await task.value }
            throw HTTPClientError(description: "the server did not start listening within \(timeout) s")
        }
        self.port = port
    }

    /// Graceful shutdown; true if the server stopped within `timeout` seconds (else it is cancelled).
    @discardableResult
    func stop(timeout: Double = 20) async throws -> Bool {
        await server.shutdown()
        let deadline = Date().addingTimeInterval(timeout)
        while finished.get == nil && Date() < deadline { try await Task.sleep(for: .milliseconds(10)) }
        guard finished.get != nil else { task.cancel(); return false }
        try await task.value
        return true
    }

    func post(_ path: String, _ json: String, chunked: Bool = false, headers: [String: String] = [:]) async throws -> HTTPReply {
        try await LoopbackHTTP.post(port: port, path, json: json, chunked: chunked, headers: headers)
    }

    func get(_ path: String, headers: [String: String] = [:]) async throws -> HTTPReply {
        try await LoopbackHTTP.send(port: port, "GET", path, headers: headers)
    }
}

/// A tiny model folder in a temporary directory, and servers on it.
struct TinyServerFixture {
    let tmp: TemporaryDirectory
    let model: URL

    init() throws {
        tmp = try TemporaryDirectory()
        model = tmp.file("tiny")
        try makeTinyModel(at: model)
    }

    func cleanup() { tmp.cleanup() }

    func configuration(_ configure: (inout ServerConfiguration) -> Void = { _ in }) -> ServerConfiguration {
        var c = ServerConfiguration(modelName: "tiny")
        c.port = 0
        c.maxLength = 32
        c.batchSize = 8
        c.precision = commandLinePrecision  // as `mirror-bert serve` and `encode` (the tests' reference) pick by default
        configure(&c)
        return c
    }

    func start(index: (any SearchIndex)? = nil, _ configure: (inout ServerConfiguration) -> Void = { _ in }) async throws
        -> RunningServer
    {
        let server = try EmbeddingServer(checkpoint: try Checkpoint.load(model), configuration: configuration(configure),
                                         index: index, indexPath: "test.mbi",
                                         identity: index == nil ? nil : try ModelIdentity.of(model))
        return try await RunningServer(server)
    }

    /// Runs `body` against a started server, then stops it gracefully (also when `body` throws);
    /// records an issue if it does not stop in time.
    func withServer<R>(index: (any SearchIndex)? = nil, _ configure: (inout ServerConfiguration) -> Void = { _ in },
                       _ body: (RunningServer) async throws -> R) async throws -> R {
        let s = try await start(index: index, configure)
        let result: Result<R, Error>
        do { result = .success(try await body(s)) } catch { result = .failure(error) }
        let stopped = try await s.stop()
        #expect(stopped, "the server did not stop within the timeout")
        return try result.get()
    }

    /// `mirror-bert encode --normalize` of `texts` with the server's defaults here (mean-masked, max length 32),
    /// run on its own thread so the wait does not hold a cooperative-pool thread the servers need.
    func encode(_ texts: [String], batchSize: Int = 8) async throws -> [[Float]] {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try encodeBlocking(texts, batchSize: batchSize) }) }.start()
        }
    }

    func encodeBlocking(_ texts: [String], batchSize: Int) throws -> [[Float]] {
        let input = tmp.file("encode-\(UUID().uuidString).txt"), output = tmp.file("encode-\(UUID().uuidString).jsonl")
        try Data((texts.joined(separator: "\n") + "\n").utf8).write(to: input)
        let r = try MirrorBERTExecutable.run(["encode", "--model", model.path, "--input", input.path, "--output", output.path,
                                              "--normalize", "--max-length", "32", "--batch-size", "\(batchSize)"])
        guard r.status == 0 else { throw HTTPClientError(description: "encode failed: \(r)") }
        return try String(contentsOf: output, encoding: .utf8).split(separator: "\n")
            .map { try JSONDecoder().decode([Float].self, from: Data($0.utf8)) }
    }
}

/// The "embedding" arrays of a float embeddings response, in index order (decoded as Float, so
/// the shortest-form numbers come back exactly).
func embeddings(_ reply: HTTPReply) throws -> [[Float]] {
    struct Response: Decodable {
        struct Item: Decodable { var index: Int; var embedding: [Float] }
        var data: [Item]
    }
    return try JSONDecoder().decode(Response.self, from: reply.body).data.sorted { $0.index < $1.index }.map(\.embedding)
}

/// `s` as a JSON string literal.
func quoted(_ s: String) -> String {
    var w = JSONWriter()
    w.string(s)
    return w.text
}
