// mirror-bert serve: an HTTP embeddings server (OpenAI-shaped /v1/embeddings, /v1/similarity,
// /v1/search with --index, /v1/models, /health). See the README, "Search and serving".

import ArgumentParser
import Foundation
import Logging
import Models
import Search
import Server

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve embeddings over HTTP (OpenAI-compatible POST /v1/embeddings, plus similarity and search).",
        discussion: """
            Embeddings are L2-normalized (as OpenAI's are) and equal `mirror-bert encode --normalize` with the same \
            pooling and max length, up to float rounding from batching. Concurrent requests are batched into one \
            forward pass. SIGINT/SIGTERM stop it gracefully: in-flight requests are answered first. \
            Listens on loopback only unless --host says otherwise; there is no authentication.
            """)

    @OptionGroup var modelOptions: ModelOptions

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0: any free port, printed at start).")
    var port = 8080

    @Option(help: "Index (from `mirror-bert index`, exact or --faiss) to serve POST /v1/search from; it must match the model.")
    var index: String?

    @OptionGroup var indexOptions: IndexOpenOptions

    /// With --index, the index's pooling and max length come before the folder's.
    @OptionGroup var embedding: EmbeddingOptions

    @Option(help: "Model name in requests and responses (default: the model folder's name).")
    var modelName: String?

    @Option(help: "Milliseconds the batcher waits for concurrent requests to join a batch (0: none).")
    var batchWindowMs = 2.0

    @Option(help: "Texts per embedding call at most (requests batched together).")
    var maxBatchTexts = 256

    @Option(name: [.long, .customLong("max-client-batch-size")], help: "Texts per request at most (TEI's --max-client-batch-size).")
    var maxInputs = 256

    @Option(help: "Characters (Unicode scalars) per text at most.")
    var maxTextLength = 10_000

    @Option(name: [.long, .customLong("payload-limit")], help: "Bytes per request body at most (TEI's --payload-limit).")
    var maxBodyBytes = 2 << 20

    @Option(help: "Requests answered at once at most (health and metrics aside); beyond it 429 with Retry-After.")
    var maxConcurrentRequests = 512

    @Option(help: "API key: every route but GET /health then needs \"Authorization: Bearer KEY\" (default: $MIRROR_BERT_API_KEY, else $API_KEY as TEI reads it).")
    var apiKey: String?

    @Option(help: "File whose first line is the API key (keeps it out of the process list).")
    var apiKeyFile: String?

    @Flag(inversion: .prefixedNo, help: "One structured log line per request on standard error.")
    var accessLog = true

    @Option(help: "Texts waiting to be embedded at most; beyond it requests get 503.")
    var maxQueue = 1024

    @Option(help: "Connections open at once at most; beyond it new connections wait in the listen backlog.")
    var maxConnections = 1024

    @Option(help: "Seconds from a request's first byte to the end of its head; later: 408 and the connection closes.")
    var headerTimeout = 10.0

    @Option(help: "Seconds from a request's head to the end of its body; later: 408 and the connection closes.")
    var bodyTimeout = 30.0

    @Option(help: "Seconds a connection may stay open with no request under way (keep-alive or silent).")
    var idleTimeout = 60.0

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0…65535") }
        guard maxBatchTexts >= 1, maxInputs >= 1, maxTextLength >= 1, maxBodyBytes >= 1, maxQueue >= 1, maxConcurrentRequests >= 1 else {
            throw ValidationError("--max-batch-texts, --max-inputs, --max-text-length, --max-body-bytes, --max-queue and "
                                  + "--max-concurrent-requests must be at least 1")
        }
        guard apiKey == nil || apiKeyFile == nil else { throw ValidationError("give --api-key or --api-key-file, not both") }
        if let apiKey, apiKey.isEmpty { throw ValidationError("--api-key is empty") }
        guard maxQueue >= maxInputs else { throw ValidationError("--max-queue (\(maxQueue)) must be at least --max-inputs (\(maxInputs))") }
        guard batchWindowMs >= 0 && batchWindowMs <= 5000 else { throw ValidationError("--batch-window-ms must be 0…5000") }
        guard maxConnections >= 1 else { throw ValidationError("--max-connections must be at least 1") }
        for (flag, seconds) in [("--header-timeout", headerTimeout), ("--body-timeout", bodyTimeout), ("--idle-timeout", idleTimeout)] {
            guard seconds >= 0.001 && seconds <= 86_400 else { throw ValidationError("\(flag) must be 0.001…86400 seconds") }
        }
    }

    func run() async throws {
        ServerHeap.configure()  // before the model and the server's threads allocate
        let directory = try modelOptions.directory()
        var embeddingIndex: (any SearchIndex)?
        var identity: ModelIdentity?
        if let index {
            embeddingIndex = try indexOptions.open(index)
            identity = try ModelIdentity.of(directory)
        }
        var config = ServerConfiguration(modelName: modelName ?? directory.standardizedFileURL.lastPathComponent)
        config.host = host
        config.port = port
        let checkpoint = try Checkpoint.load(directory)
        let resolved = try embedding.resolve(.folder(checkpoint.settings), recorded: embeddingIndex?.header,
                                             modelLimit: checkpoint.config.maxSequenceLength, alwaysNormalize: true)
        resolved.announce("serve")
        config.pooling = resolved.options.pooling
        config.maxLength = resolved.options.maxLength
        config.precision = resolved.precision
        config.batchSize = resolved.options.batchSize
        config.maxBatchTokens = resolved.options.maxBatchTokens ?? EmbedOptions.defaultMaxBatchTokens
        config.batchWindowSeconds = batchWindowMs / 1000
        config.maxBatchTexts = maxBatchTexts
        config.limits.maxInputs = maxInputs
        config.limits.maxTextLength = maxTextLength
        config.limits.maxBodyBytes = maxBodyBytes
        config.limits.maxQueuedTexts = maxQueue
        config.limits.maxConcurrentRequests = maxConcurrentRequests
        config.limits.maxConnections = maxConnections
        config.limits.headerTimeout = .milliseconds(Int64((headerTimeout * 1000).rounded()))
        config.limits.bodyTimeout = .milliseconds(Int64((bodyTimeout * 1000).rounded()))
        config.limits.idleTimeout = .milliseconds(Int64((idleTimeout * 1000).rounded()))
        config.apiKey = try resolveAPIKey()
        if accessLog {
            var logger = Logger(label: "mirror-bert.access") { StreamLogHandler.standardError(label: $0) }
            logger.logLevel = .info
            config.accessLogger = logger
        }
        let server = try EmbeddingServer(checkpoint: checkpoint, configuration: config,
                                         index: embeddingIndex, indexPath: index ?? "", identity: identity)
        if !["127.0.0.1", "::1", "localhost"].contains(host) && config.apiKey == nil {
            Console.note("warning: listening on \(host), not loopback, without an API key (--api-key)")
        }
        let summary = "model \(config.modelName), \(config.pooling.rawValue), max length \(config.maxLength), \(config.precision.rawValue)"
            + (embeddingIndex.map { ", index \($0.count) texts" } ?? "")
        // Freed heap memory goes back to the system (ServerHeap.swift: RSS retention under
        // hostile traffic).
        let trimmer = ServerHeap.startTrimming(every: .seconds(10))
        defer { trimmer?.cancel() }
        try await server.run(handleSignals: true) { host, port in
            Console.note("listening on http://\(host):\(port) (\(summary))")
        }
        Console.note("stopped")
    }

    /// --api-key, else the first line of --api-key-file, else $MIRROR_BERT_API_KEY, else $API_KEY.
    func resolveAPIKey() throws -> String? {
        if let apiKey { return apiKey }
        if let apiKeyFile {
            let text: String
            do {
                text = try String(contentsOfFile: apiKeyFile, encoding: .utf8)
            } catch {
                throw ValidationError("cannot read --api-key-file \(apiKeyFile): \(error.localizedDescription)")
            }
            let key = text.split(whereSeparator: \.isNewline).first.map { String($0).trimmingCharacters(in: .whitespaces) } ?? ""
            guard !key.isEmpty else { throw ValidationError("--api-key-file \(apiKeyFile) has no key on its first line") }
            return key
        }
        let environment = ProcessInfo.processInfo.environment
        return [environment["MIRROR_BERT_API_KEY"], environment["API_KEY"]].compactMap { $0 }.first { !$0.isEmpty }
    }
}
