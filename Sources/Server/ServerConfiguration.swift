// What the server listens on, how it embeds, and the limits it enforces on each request.

import Kernels
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
    /// Hits per search query.
    public var maxK = 1000

    public init() {}
}

public struct ServerConfiguration: Sendable {
    /// Address to bind; loopback by default.
    public var host = "127.0.0.1"
    /// Port to bind; 0 picks a free port (reported to `onListening`).
    public var port = 8080
    /// The model's name in requests and responses (`model`); default: the checkpoint folder's name.
    public var modelName: String
    /// Embedding options; `normalize` is always true (the server returns unit vectors, as OpenAI does).
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

    public init(modelName: String) { self.modelName = modelName }

    var embedOptions: EmbedOptions {
        EmbedOptions(pooling: pooling, maxLength: maxLength, batchSize: batchSize, maxBatchTokens: maxBatchTokens,
                     normalize: true, precision: precision)
    }
}
