// The HTTP embeddings server (Hummingbird 2): OpenAI-shaped POST /v1/embeddings, POST
// /v1/similarity, POST /v1/search (with an index), GET /v1/models and GET /health, and Text
// Embeddings Inference's routes beside them (TEIRoutes.swift), GET /metrics (Prometheus).
// Every route but /health needs the API key when one is set; at most --max-concurrent-requests
// are answered at once (429 beyond); each answer is counted and, with a logger, logged. At most
// --max-connections are open at once, and a request's head and body have deadlines
// (RequestDeadlineHandler.swift).
// Handlers parse and validate on the event loops; every Embedder and BLAS call runs on the one
// batcher thread. Shutdown is graceful: the HTTP server stops accepting and drains in-flight
// requests first (services stop in reverse order), then the batcher finishes its queue.

import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import Models
import JSON
import NIOHTTP1  // HTTPParserError
import Search
import ServiceLifecycle

public final class EmbeddingServer: @unchecked Sendable {
    public let configuration: ServerConfiguration
    let batcher: EmbeddingBatcher
    let index: (any SearchIndex)?
    let metrics: ServerMetrics
    let gate: RequestGate
    /// The model folder's prompts by name (config_sentence_transformers.json), for `prompt_name`.
    let prompts: [String: String]
    private let lock = NSLock()
    private var group: ServiceGroup?
    private var shutdownRequested = false

    /// Builds the embedder; with `index`, first checks that it was made by this model (`identity`)
    /// with the configured pooling and max length (`indexPath` names it in that error).
    public init(checkpoint: Checkpoint, configuration: ServerConfiguration, index: (any SearchIndex)? = nil,
                indexPath: String = "index", identity: ModelIdentity? = nil) throws {
        if let index {
            guard let identity else { preconditionFailure("serving an index needs the model's identity") }
            try index.header.checkCompatible(model: identity, pooling: configuration.pooling, maxLength: configuration.maxLength,
                                      path: indexPath)
        }
        self.configuration = configuration
        self.index = index
        let embedder = try Embedder(checkpoint, options: configuration.embedOptions)
        if let index, index.dimension != embedder.dimension {
            throw SearchError.optionMismatch(path: indexPath, option: "dimension", index: "\(index.dimension)",
                                             given: "\(embedder.dimension)")
        }
        prompts = checkpoint.settings.prompts
        let metrics = ServerMetrics(maxInputLength: configuration.maxLength)
        self.metrics = metrics
        gate = RequestGate(apiKey: configuration.apiKey, maxConcurrent: configuration.limits.maxConcurrentRequests)
        batcher = EmbeddingBatcher(embedder: embedder, window: configuration.batchWindowSeconds,
                                   maxBatchTexts: configuration.maxBatchTexts,
                                   maxQueuedTexts: configuration.limits.maxQueuedTexts) { texts, tokens in
            metrics.batchSize.record(Double(texts))
            metrics.batchTokens.record(Double(tokens))
        }
    }

    /// Serves until `shutdown()` (or SIGINT/SIGTERM when `handleSignals`); `onListening(host, port)`
    /// runs once the socket is bound (the port is the real one when configured as 0).
    public func run(handleSignals: Bool = true, onListening: @escaping @Sendable (String, Int) -> Void = { _, _ in })
        async throws
    {
        var logger = Logger(label: "mirror-bert.serve")
        logger.logLevel = .warning
        let host = configuration.host, port = configuration.port
        let limits = configuration.limits
        let app = Application(
            router: makeRouter(),
            server: .http1(configuration: connectionConfiguration()),
            configuration: .init(address: .hostname(host, port: port), serverName: "mirror-bert",
                                 availableConnectionsDelegate: MaximumAvailableConnections(limits.maxConnections,
                                                                                          logger: logger)),
            onServerRunning: { channel in onListening(host, channel.localAddress?.port ?? port) },
            logger: logger)
        var groupConfiguration = ServiceGroupConfiguration(
            services: [BatcherService(batcher: batcher), app],
            gracefulShutdownSignals: handleSignals ? [.sigterm, .sigint] : [],
            logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(60)
        let group = ServiceGroup(configuration: groupConfiguration)
        let alreadyRequested: Bool = lock.withLock {
            self.group = group
            return shutdownRequested
        }
        if alreadyRequested { await group.triggerGracefulShutdown() }
        batcher.start()  // before the socket opens, so no request finds it not yet running
        do {
            try await group.run()
        } catch {
            batcher.stop()  // idempotent; the service may not have run
            throw error
        }
    }

    /// Each connection's HTTP/1 pipeline: the idle timeout, and the deadlines for a request's head
    /// and body (RequestDeadlineHandler, one per connection), counted and logged when missed.
    func connectionConfiguration() -> HTTP1Channel.Configuration {
        let limits = configuration.limits, metrics = metrics, logger = configuration.accessLogger
        return HTTP1Channel.Configuration(
            additionalChannelHandlers: [
                RequestDeadlineHandler(headerTimeout: .init(limits.headerTimeout), bodyTimeout: .init(limits.bodyTimeout)) {
                    phase, path in
                    metrics.timedOut(phase)
                    logger?.info("request timed out", metadata: [
                        "phase": "\(phase.rawValue)", "path": "\(path.map { echoed($0) } ?? "-")",
                    ])
                },
            ],
            idleTimeout: .init(limits.idleTimeout))
    }

    /// Starts a graceful shutdown: no new connections; in-flight requests are answered.
    public func shutdown() async {
        let group: ServiceGroup? = lock.withLock {
            shutdownRequested = true
            return self.group
        }
        await group?.triggerGracefulShutdown()
    }

    // MARK: - Routes

    func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: AccessMiddleware(metrics: metrics, logger: configuration.accessLogger))
        router.add(middleware: JSONErrorMiddleware())
        router.add(middleware: GateMiddleware(gate: gate))
        router.get("/health") { _, _ in self.health() }
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                     body: .init(byteBuffer: ByteBuffer(bytes: self.metrics.exposition(queued: self.batcher.statistics.queued))))
        }
        router.get("/v1/models") { _, _ in self.models() }
        router.post("/v1/embeddings") { request, _ in try await self.embeddings(request) }
        router.post("/v1/similarity") { request, _ in try await self.similarity(request) }
        router.post("/v1/search") { request, _ in try await self.search(request) }
        addTEIRoutes(router)
        return router
    }

    var modelName: String { configuration.modelName }

    func health() -> Response {
        let stats = batcher.statistics
        var w = JSONWriter()
        w.raw("{"); w.key("status"); w.string("ok"); w.raw(",")
        w.key("model"); w.string(modelName); w.raw(",")
        w.key("dimension"); w.int(batcher.dimension); w.raw(",")
        w.key("index_size"); if let index { w.int(index.count) } else { w.raw("null") }; w.raw(",")
        w.key("queued_texts"); w.int(stats.queued); w.raw(",")
        w.key("arriving_requests"); w.int(stats.arriving); w.raw(",")
        w.key("requests_in_flight"); w.int(gate.current); w.raw(",")
        w.key("batches"); w.int(stats.batches); w.raw(",")
        w.key("embedded_texts"); w.int(stats.texts); w.raw("}")
        return jsonResponse(200, w.bytes)
    }

    func models() -> Response {
        var w = JSONWriter()
        w.raw("{"); w.key("object"); w.string("list"); w.raw(","); w.key("data"); w.raw("[{")
        w.key("id"); w.string(modelName); w.raw(",")
        w.key("object"); w.string("model"); w.raw(",")
        w.key("created"); w.int(0); w.raw(",")
        w.key("owned_by"); w.string("mirror-bert"); w.raw(",")
        w.key("dimension"); w.int(batcher.dimension); w.raw(",")
        w.key("pooling"); w.string(configuration.pooling.rawValue); w.raw(",")
        w.key("max_length"); w.int(configuration.maxLength); w.raw(",")
        w.key("precision"); w.string(configuration.precision.rawValue); w.raw(",")
        w.key("normalized"); w.raw("true}]}")
        return jsonResponse(200, w.bytes)
    }

    func embeddings(_ request: Request) async throws -> Response {
        let started = ContinuousClock.now
        let arrival = batcher.arrival()
        let body = try await collectBody(request)
        let req = try decodeRequest(EmbeddingsRequest.self, from: body)
        try checkModel(req.model)
        let dimension = try checkDimensions(req.dimensions)
        try checkTexts(req.input, limits: configuration.limits, param: "input")
        metrics.request(inputs: req.input.count)
        let (vectors, tokens) = try await embed(req.input, arrival: arrival) { rows in
            (rows.output(dimension: dimension, normalize: true), rows.tokens)
        }
        metrics.success(inputs: req.input.count, tokens: tokens, started: started)
        return jsonResponse(200, APIResponses.embeddings(vectors, dimension: dimension,
                                                         base64: req.encodingFormat == .base64, model: modelName,
                                                         tokens: tokens.reduce(0, +)))
    }

    func similarity(_ request: Request) async throws -> Response {
        let arrival = batcher.arrival()
        let body = try await collectBody(request)
        let req = try decodeRequest(SimilarityRequest.self, from: body)
        try checkModel(req.model)
        // Embed each distinct text once.
        var unique: [String] = [], position: [String: Int] = [:]
        let pairs = req.pairs.map { pair -> (Int, Int) in
            func slot(_ t: String) -> Int {
                if let p = position[t] { return p }
                position[t] = unique.count; unique.append(t); return unique.count - 1
            }
            return (slot(pair.0), slot(pair.1))
        }
        try checkTexts(req.pairs.flatMap { [$0.0, $0.1] }, limits: configuration.limits, param: "pairs",
                       countDescription: "\"pairs\" has \(req.pairs.count) pairs (\(2 * req.pairs.count) texts)")
        let (scores, tokens) = try await embed(unique, arrival: arrival) { rows in
            (pairs.map { cosine(rows.vectors + $0.0 * rows.dimension, rows.vectors + $0.1 * rows.dimension, rows.dimension) },
             rows.tokens.reduce(0, +))
        }
        return jsonResponse(200, APIResponses.similarity(scores, model: modelName, tokens: tokens))
    }

    func search(_ request: Request) async throws -> Response {
        guard let index else {
            throw APIError.notFound("this server has no index (start it with --index); /v1/search is unavailable",
                                    code: "no_index")
        }
        let arrival = batcher.arrival()
        let body = try await collectBody(request)
        let req = try decodeRequest(SearchRequest.self, from: body)
        try checkModel(req.model)
        try checkTexts(req.queries, limits: configuration.limits, param: "query")
        guard req.k >= 1 && req.k <= configuration.limits.maxK else {
            throw APIError.invalid("k must be between 1 and \(configuration.limits.maxK) (got \(req.k))", param: "k")
        }
        let (hits, tokens) = try await embed(req.queries, arrival: arrival) { rows in
            let queries = rows.output(dimension: rows.dimension, normalize: true)
            return (try queries.withUnsafeBufferPointer { try index.search($0.baseAddress!, queryCount: req.queries.count, k: req.k) },
                    rows.tokens.reduce(0, +))
        }
        return jsonResponse(200, APIResponses.search(hits, queries: req.queries, texts: index.texts, model: modelName,
                                                     tokens: tokens))
    }

    // MARK: - Helpers

    /// Runs `body` on the batcher thread with the embedded rows of `texts` (the request's
    /// `arrival`, opened as its handler started, closes as they are queued). Without `truncate`,
    /// a text over the max length is an error instead of being cut. With `tokenRows`, the rows are
    /// every token's hidden state (EmbeddedRows).
    func embed<R>(_ texts: [String], arrival: Arrival, truncate: Bool = true, tokenRows: Bool = false,
                  _ body: @escaping (EmbeddedRows) throws -> R) async throws -> R {
        do {
            return try await batcher.process(texts, arrival: arrival, truncate: truncate, tokenRows: tokenRows, body)
        } catch BatcherError.queueFull(let queued, let limit) {
            throw APIError.busy(queued: queued, limit: limit)
        } catch BatcherError.stopped {
            throw APIError.shuttingDown
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError.internal("embedding failed: \(error)")
        }
    }

    func collectBody(_ request: Request) async throws -> Data {
        let limit = configuration.limits.maxBodyBytes
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit {
            throw APIError.bodyTooLarge(limit: limit)
        }
        do {
            let buffer = try await request.body.collect(upTo: limit)
            return Data(buffer.readableBytesView)
        } catch let error as HTTPResponseError where error.status == .contentTooLarge {
            throw APIError.bodyTooLarge(limit: limit)
        } catch let missed as RequestDeadlineMissed {
            throw APIError.requestTimeout(phase: missed.phase, seconds: missed.seconds)
        } catch let error as HTTPParserError {
            // Malformed chunked encoding, or a body cut short by the client closing: the client's
            // fault, not the server's (without this it was answered 500).
            throw APIError.invalid("the request body is not valid HTTP/1.1: \(error)", code: "malformed_body")
        }
    }

    /// The dimensions a request asks for (Matryoshka truncation): 1…the model's, default all.
    func checkDimensions(_ requested: Int?) throws -> Int {
        guard let d = requested else { return batcher.dimension }
        guard d >= 1 else { throw APIError.invalid("dimensions must be positive (got \(d))", param: "dimensions") }
        guard d <= batcher.dimension else {
            throw APIError.invalid("dimensions \(d) is more than this model's \(batcher.dimension)", param: "dimensions")
        }
        return d
    }

    func checkModel(_ model: String?) throws {
        if let model, model != modelName {
            throw APIError.notFound("model \"\(echoed(model))\" is not served here; this server serves \"\(modelName)\" "
                                    + "(omit \"model\" or see GET /v1/models)", code: "model_not_found")
        }
    }
}

/// cos(a, b) in Double (the rows are unit vectors, but the norms are not assumed).
func cosine(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Double {
    var dot = 0.0, na = 0.0, nb = 0.0
    for j in 0..<n {
        dot += Double(a[j]) * Double(b[j]); na += Double(a[j]) * Double(a[j]); nb += Double(b[j]) * Double(b[j])
    }
    return dot / max((na * nb).squareRoot(), 1e-300)
}

func jsonResponse(_ status: Int, _ bytes: [UInt8], headers extra: HTTPFields = [:]) -> Response {
    var headers: HTTPFields = [.contentType: "application/json"]
    headers.append(contentsOf: extra)
    return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
}

/// Turns every error into a JSON error response (APIError as is; Hummingbird's own, e.g. an
/// unknown route, with its status).
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return Self.answer(error, path: request.uri.path)
        } catch let error as HTTPResponseError {
            let status = Int(error.status.code)
            let message = status == 404
                ? "no endpoint \(request.method) \(echoed(request.uri.path)) (endpoints: GET /health, GET /metrics, "
                    + "GET /v1/models, POST /v1/embeddings, POST /v1/similarity, POST /v1/search, GET /info, POST /, "
                    + "POST /embed, POST /embed_all, POST /similarity, POST /tokenize, POST /decode)"
                : "\(error.status)"
            return Self.answer(APIError(status: status, type: "invalid_request_error", code: nil, param: nil, message: message),
                               path: request.uri.path)
        } catch {
            return Self.answer(APIError.internal("\(error)"), path: request.uri.path)
        }
    }

    /// The error in TEI's shape and status on TEI's routes, else in OpenAI's.
    static func answer(_ error: APIError, path: String) -> Response {
        var extra: HTTPFields = [:]
        if error.status == 503 || error.status == 429 { extra[.retryAfter] = "1" }
        if error.status == 401 { extra[.wwwAuthenticate] = "Bearer" }
        if TEIRoute.isTEI(path) {
            return jsonResponse(error.tei.status, error.teiJSON, headers: extra)
        }
        return jsonResponse(error.status, error.json, headers: extra)
    }
}

/// Runs the batcher thread for the life of the service group; stops it (after its queue) on shutdown.
struct BatcherService: Service {
    let batcher: EmbeddingBatcher

    func run() async throws {
        try? await gracefulShutdown()
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let thread = Thread { batcher.stop(); done.resume() }
            thread.start()
        }
    }
}
