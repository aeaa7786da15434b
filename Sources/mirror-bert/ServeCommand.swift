// mirror-bert serve: an HTTP embeddings server (OpenAI-shaped /v1/embeddings, /v1/similarity,
// /v1/search with --index, /v1/models, /health). See the README, "Search and serving".

import ArgumentParser
import Foundation
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

    @Option(help: "Index file (from `mirror-bert index`) to serve POST /v1/search from; it must match the model.")
    var index: String?

    /// With --index, the index's pooling and max length come before the folder's.
    @OptionGroup var embedding: EmbeddingOptions

    @Option(help: "Model name in requests and responses (default: the model folder's name).")
    var modelName: String?

    @Option(help: "Milliseconds the batcher waits for concurrent requests to join a batch (0: none).")
    var batchWindowMs = 2.0

    @Option(help: "Texts per embedding call at most (requests batched together).")
    var maxBatchTexts = 256

    @Option(help: "Texts per request at most.")
    var maxInputs = 256

    @Option(help: "Characters (Unicode scalars) per text at most.")
    var maxTextLength = 10_000

    @Option(help: "Bytes per request body at most.")
    var maxBodyBytes = 2 << 20

    @Option(help: "Texts waiting to be embedded at most; beyond it requests get 503.")
    var maxQueue = 1024

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0…65535") }
        guard maxBatchTexts >= 1, maxInputs >= 1, maxTextLength >= 1, maxBodyBytes >= 1, maxQueue >= 1 else {
            throw ValidationError("--max-batch-texts, --max-inputs, --max-text-length, --max-body-bytes and --max-queue must be at least 1")
        }
        guard maxQueue >= maxInputs else { throw ValidationError("--max-queue (\(maxQueue)) must be at least --max-inputs (\(maxInputs))") }
        guard batchWindowMs >= 0 && batchWindowMs <= 5000 else { throw ValidationError("--batch-window-ms must be 0…5000") }
    }

    func run() async throws {
        let directory = try modelOptions.directory()
        var embeddingIndex: EmbeddingIndex?
        var identity: ModelIdentity?
        if let index {
            embeddingIndex = try EmbeddingIndex.read(URL(fileURLWithPath: index))
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
        let server = try EmbeddingServer(checkpoint: checkpoint, configuration: config,
                                         index: embeddingIndex, indexPath: index ?? "", identity: identity)
        if !["127.0.0.1", "::1", "localhost"].contains(host) {
            Console.note("warning: listening on \(host), not loopback; the server has no authentication")
        }
        let summary = "model \(config.modelName), \(config.pooling.rawValue), max length \(config.maxLength), \(config.precision.rawValue)"
            + (embeddingIndex.map { ", index \($0.count) texts" } ?? "")
        try await server.run(handleSignals: true) { host, port in
            Console.note("listening on http://\(host):\(port) (\(summary))")
        }
        Console.note("stopped")
    }
}
