// What the server listens on, how it embeds, and the limits it enforces on each request.

import Kernels
import Logging
import Models

/// Per-request and queue limits. Each is enforced with a 4xx/503 answer naming the limit and its value.
public struct ServerLimits: Sendable {
    /// Texts per request (an embeddings `input` array, twice the similarity `pairs`, search `query` array).
    public var maxInputs = 256
    /// Characters (Unicode scalars, as Python's len) per text.
    public var maxTextLength = 10_000
    /// Bytes per request body.
    public var maxBodyBytes = 2 << 20
    /// Texts waiting for the embedder, over all requests; beyond it requests get 503.
    public var maxQueuedTexts = 1024
    /// Requests being answered at once (health and metrics aside); beyond it 429 with Retry-After.
    public var maxConcurrentRequests = 512
    /// Hits per search query.
    public var maxK = 1000
    /// Connections open at once. At the cap the server stops accepting (Hummingbird's
    /// MaximumAvailableConnections): new connections wait in the listen backlog until one closes.
    public var maxConnections = 1024
    /// From a request's first byte to the end of its head; late: 408 and the connection closes.
    public var headerTimeout: Duration = .seconds(10)
    /// From a request's head to the end of its body; late: 408 (if unanswered) and the connection closes.
    public var bodyTimeout: Duration = .seconds(30)
    /// A connection with no request under way for this long is closed (keep-alive and silent ones).
    public var idleTimeout: Duration = .seconds(60)

    public init() {}
}

public struct ServerConfiguration: Sendable {
    /// Address to bind; loopback by default.
    public var host = "127.0.0.1"
    /// Port to bind; 0 picks a free port (reported to `onListening`).
    public var port = 8080
    /// The model's name in requests and responses (`model`); default: the checkpoint folder's name.
    public var modelName: String
    /// Embedding options. Vectors are normalized per request (OpenAI's routes always; TEI's unless
    /// `normalize: false`), after any Matryoshka truncation (`dimensions`).
    public var pooling: Pooling = .meanMasked
    public var maxLength = 128
    /// The precision of the encoder's matrix products (reported by /v1/models).
    public var precision: Precision = .fp32
    /// Texts per forward pass.
    public var batchSize = EmbedOptions.defaultBatchSize
    /// Tokens per forward pass and per batch the batcher forms (TEI's --max-batch-tokens; a
    /// single larger request still runs, alone).
    public var maxBatchTokens = EmbedOptions.defaultMaxBatchTokens
    /// How long the batcher waits after a request arrives for others to join its Embedder call.
    public var batchWindowSeconds = 0.002
    /// Texts per Embedder call at most (a single larger request still runs alone).
    public var maxBatchTexts = 256
    public var limits = ServerLimits()
    /// With a key, every route but GET /health needs `Authorization: Bearer <key>` (else 401).
    public var apiKey: String?
    /// Structured access logs (one line per request) go to this logger when set.
    public var accessLogger: Logger?

    public init(modelName: String) { self.modelName = modelName }

    var embedOptions: EmbedOptions {
        EmbedOptions(pooling: pooling, maxLength: maxLength, batchSize: batchSize, maxBatchTokens: maxBatchTokens,
                     normalize: false, precision: precision)
    }
}
