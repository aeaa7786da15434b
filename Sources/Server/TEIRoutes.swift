// Text Embeddings Inference's routes (router/src/http/server.rs), answered with TEI's JSON shapes
// so that TEI's clients work unchanged: POST /embed and POST / ([[f32]]), POST /embed_all
// ([[[f32]]]: every token's last hidden state), POST /similarity ([f32]: cosine of the source
// sentence with each sentence), POST /tokenize ([[{id, text, special, start, stop}]]), POST
// /decode ([string]), GET /info. Errors on these routes take TEI's shape (APIError.tei). Known
// differences: token-id inputs and truncation on the left are refused; /tokenize has no
// character offsets (start and stop are null, text is the token); /decode knows WordPiece only.
// `prompt_name` prepends the model folder's prompt (config_sentence_transformers.json) to each input.

import Foundation
import Hummingbird
import JSON
import Models
import Tokenizers

enum TEIRoute {
    static let paths: Set<String> = ["/", "/embed", "/embed_all", "/similarity", "/tokenize", "/decode", "/info"]
    /// Every route the server answers (metrics label them; anything else is "other").
    static let known: Set<String> = paths.union(["/health", "/metrics", "/v1/models", "/v1/embeddings", "/v1/similarity",
                                                 "/v1/search"])

    static func isTEI(_ path: String) -> Bool { paths.contains(path) }
}

extension EmbeddingServer {
    func addTEIRoutes(_ router: Router<BasicRequestContext>) {
        router.get("/info") { _, _ in self.info() }
        router.get("/") { _, _ in self.health() }  // TEI answers GET / as its health check
        router.post("/") { request, _ in try await self.teiEmbed(request) }
        router.post("/embed") { request, _ in try await self.teiEmbed(request) }
        router.post("/embed_all") { request, _ in try await self.teiEmbedAll(request) }
        router.post("/similarity") { request, _ in try await self.teiSimilarity(request) }
        router.post("/tokenize") { request, _ in try await self.teiTokenize(request) }
        router.post("/decode") { request, _ in try await self.teiDecode(request) }
    }

    /// `inputs` with the named prompt prepended (sentence-transformers' and TEI's `prompt_name`).
    func prompted(_ inputs: [String], _ name: String?) throws -> [String] {
        guard let name else { return inputs }
        guard let prompt = prompts[name] else {
            let known = prompts.keys.sorted().map { "\"\($0)\"" }.joined(separator: ", ")
            throw APIError.invalid("prompt_name \"\(echoed(name))\" is not a prompt of this model "
                                   + (known.isEmpty ? "(it has none)" : "(it has \(known))"), param: "prompt_name")
        }
        return inputs.map { prompt + $0 }
    }

    /// TEI's checks on a list of inputs: its batch-size message, then our text-length limit.
    func checkTEIInputs(_ inputs: [String]) throws {
        try checkTEIBatchSize(inputs.count, param: "inputs")
        try checkTexts(inputs, limits: configuration.limits, param: "inputs")
    }

    /// TEI's refusal of more than --max-client-batch-size inputs (texts, or id lists to decode).
    func checkTEIBatchSize(_ count: Int, param: String) throws {
        guard count <= configuration.limits.maxInputs else {
            throw APIError.invalid("batch size \(count) > maximum allowed batch size \(configuration.limits.maxInputs) "
                                   + "(--max-client-batch-size)", param: param, code: "too_many_inputs")
        }
    }

    func teiEmbed(_ request: Request) async throws -> Response {
        let started = ContinuousClock.now
        let arrival = batcher.arrival()
        let req = try decodeRequest(TEIEmbedRequest.self, from: try await collectBody(request))
        let dimension = try checkDimensions(req.dimensions)
        try checkTEIInputs(req.inputs)
        let inputs = try prompted(req.inputs, req.truncation.promptName)
        metrics.request(inputs: req.inputs.count)
        let (vectors, tokens) = try await embed(inputs, arrival: arrival, truncate: req.truncation.truncate) { rows in
            (rows.output(dimension: dimension, normalize: req.normalize), rows.tokens)
        }
        metrics.success(inputs: req.inputs.count, tokens: tokens, started: started)
        var w = JSONWriter(capacity: 16 + vectors.count * 12)
        w.raw("[")
        vectors.withUnsafeBufferPointer { all in
            for i in 0..<req.inputs.count {
                if i > 0 { w.raw(",") }
                w.floats(UnsafeBufferPointer(rebasing: all[(i * dimension)..<((i + 1) * dimension)]))
            }
        }
        w.raw("]")
        return jsonResponse(200, w.bytes)
    }

    func teiEmbedAll(_ request: Request) async throws -> Response {
        let started = ContinuousClock.now
        let arrival = batcher.arrival()
        let req = try decodeRequest(TEIEmbedAllRequest.self, from: try await collectBody(request))
        try checkTEIInputs(req.inputs)
        let inputs = try prompted(req.inputs, req.truncation.promptName)
        metrics.request(inputs: req.inputs.count)
        let (body, tokens) = try await embed(inputs, arrival: arrival, truncate: req.truncation.truncate,
                                             tokenRows: true) { rows in
            var w = JSONWriter(capacity: 16 + rows.tokens.reduce(0, +) * rows.dimension * 12)
            w.raw("[")
            var row = 0
            for (i, n) in rows.tokens.enumerated() {
                w.raw(i == 0 ? "[" : ",[")
                for t in 0..<n {
                    if t > 0 { w.raw(",") }
                    w.floats(UnsafeBufferPointer(start: rows.vectors + (row + t) * rows.dimension, count: rows.dimension))
                }
                w.raw("]")
                row += n
            }
            w.raw("]")
            return (w.bytes, rows.tokens)
        }
        metrics.success(inputs: req.inputs.count, tokens: tokens, started: started)
        return jsonResponse(200, body)
    }

    func teiSimilarity(_ request: Request) async throws -> Response {
        let started = ContinuousClock.now
        let arrival = batcher.arrival()
        let req = try decodeRequest(TEISimilarityRequest.self, from: try await collectBody(request))
        try checkTEIInputs([req.source] + req.sentences)
        let texts = try prompted([req.source] + req.sentences, req.truncation.promptName)
        metrics.request(inputs: texts.count)
        let (scores, tokens) = try await embed(texts, arrival: arrival, truncate: req.truncation.truncate) { rows in
            ((1..<texts.count).map { cosine(rows.vectors, rows.vectors + $0 * rows.dimension, rows.dimension) }, rows.tokens)
        }
        metrics.success(inputs: texts.count, tokens: tokens, started: started)
        var w = JSONWriter()
        w.raw("[")
        for (i, s) in scores.enumerated() {
            if i > 0 { w.raw(",") }
            w.float(Float(s))
        }
        w.raw("]")
        return jsonResponse(200, w.bytes)
    }

    func teiTokenize(_ request: Request) async throws -> Response {
        let req = try decodeRequest(TEITokenizeRequest.self, from: try await collectBody(request))
        try checkTEIInputs(req.inputs)
        guard let tokenizer = batcher.tokenizer as? PipelineTokenizer else {
            throw APIError.internal("this model's tokenizer cannot list its tokens")
        }
        let special = tokenizer.specialIds
        var w = JSONWriter()
        w.raw("[")
        for (i, text) in try prompted(req.inputs, req.promptName).enumerated() {
            let encoding = req.addSpecialTokens ? tokenizer.encode(text) : tokenizer.encodeContent(text)
            w.raw(i == 0 ? "[" : ",[")
            for (k, (id, token)) in zip(encoding.ids, encoding.tokens).enumerated() {
                w.raw(k == 0 ? "{" : ",{")
                w.key("id"); w.int(Int(id)); w.raw(",")
                w.key("text"); w.string(token); w.raw(",")
                w.key("special"); w.raw(special.contains(id) ? "true" : "false"); w.raw(",")
                w.key("start"); w.raw("null,"); w.key("stop"); w.raw("null}")
            }
            w.raw("]")
        }
        w.raw("]")
        return jsonResponse(200, w.bytes)
    }

    func teiDecode(_ request: Request) async throws -> Response {
        let req = try decodeRequest(TEIDecodeRequest.self, from: try await collectBody(request))
        try checkTEIBatchSize(req.ids.count, param: "ids")
        guard let tokenizer = batcher.tokenizer as? PipelineTokenizer else {
            throw APIError.internal("this model's tokenizer cannot decode")
        }
        var w = JSONWriter()
        w.raw("[")
        for (i, ids) in req.ids.enumerated() {
            if i > 0 { w.raw(",") }
            do {
                w.string(try tokenizer.decode(ids, skipSpecialTokens: req.skipSpecialTokens))
            } catch let error as DecodingError {
                throw APIError.invalid("ids[\(i)]: \(error)", param: "ids")
            }
        }
        w.raw("]")
        return jsonResponse(200, w.bytes)
    }

    /// GET /info, TEI's fields (router/src/lib.rs Info) with this server's values.
    func info() -> Response {
        let c = configuration
        var w = JSONWriter()
        w.raw("{"); w.key("model_id"); w.string(modelName); w.raw(",")
        w.key("model_sha"); w.raw("null,")
        w.key("model_dtype"); w.string(c.precision.rawValue); w.raw(",")
        w.key("served_model_name"); w.string(modelName); w.raw(",")
        w.key("model_type"); w.raw("{"); w.key("embedding"); w.raw("{"); w.key("pooling")
        w.string(c.pooling == .meanMasked ? "mean" : c.pooling.rawValue); w.raw("}},")
        w.key("max_concurrent_requests"); w.int(c.limits.maxConcurrentRequests); w.raw(",")
        w.key("max_input_length"); w.int(c.maxLength); w.raw(",")
        w.key("max_batch_tokens"); w.int(c.maxBatchTokens); w.raw(",")
        w.key("max_batch_requests"); w.int(c.maxBatchTexts); w.raw(",")
        w.key("max_client_batch_size"); w.int(c.limits.maxInputs); w.raw(",")
        w.key("auto_truncate"); w.raw("true,")
        w.key("tokenization_workers"); w.int(ProcessInfo.processInfo.activeProcessorCount); w.raw(",")
        w.key("version"); w.string("mirror-bert"); w.raw(",")
        w.key("sha"); w.raw("null,"); w.key("docker_label"); w.raw("null}")
        return jsonResponse(200, w.bytes)
    }
}
