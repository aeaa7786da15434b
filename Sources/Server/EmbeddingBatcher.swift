// One worker thread owns the Embedder (which is not thread-safe) and every BLAS call the server
// makes. Requests are tokenized on the submitting thread (so tokenization runs beside the
// worker's products) and queue their encodings; the worker takes the oldest request and, while
// other requests are on their way (an `Arrival` is open: their handler has started but not yet
// submitted), waits for them until `window` has passed since the oldest arrived (or a batch's
// worth of texts or tokens is queued); with none on the way it starts at once. It then
// embeds every queued request that fits in `maxBatchTexts` texts and `maxBatchTokens` tokens (as
// TEI batches; the first request always fits) in one Embedder call, and hands each request its
// rows. Under load the queue fills while the worker computes, so batches form without waiting.
// The queue is bounded in texts: a request that would overflow it is refused at once.

import Foundation
import Models
import Tokenizers

/// The worker's answer to one request: its rows of the batch, valid only during the callback.
struct EmbeddedRows {
    /// (texts.count, dimension) pooled vectors, not normalized (handlers normalize: requests may
    /// ask for fewer dimensions, normalized after truncation, or for none); for a token-rows job,
    /// (Σ tokens, dimension): every token's last hidden state, text after text.
    let vectors: UnsafePointer<Float>
    let dimension: Int
    /// Tokens per text after truncation, special tokens included.
    let tokens: [Int]
}

extension EmbeddedRows {
    /// The rows as one array, each cut to its first `dimension` values (Matryoshka) and, with
    /// `normalize`, scaled to unit length after the cut (as TEI and sentence-transformers do).
    func output(dimension d: Int, normalize: Bool) -> [Float] {
        [Float](unsafeUninitializedCapacity: tokens.count * d) { out, count in
            EmbeddingTruncation.truncate(vectors, rows: tokens.count, dimension: dimension, to: d, renormalize: normalize,
                                         into: out.baseAddress!)
            count = tokens.count * d
        }
    }
}

/// A request between its handler's start and its submission. While any is open the worker waits
/// (within the window) for it to join the next batch; it closes on submission, or when released.
final class Arrival: @unchecked Sendable {
    fileprivate weak var batcher: EmbeddingBatcher?
    fileprivate var open = true  // guarded by the batcher's lock
    deinit { batcher?.close(self) }
}

enum BatcherError: Error {
    case queueFull(queued: Int, limit: Int)
    case stopped
}

final class EmbeddingBatcher: @unchecked Sendable {
    private struct Job {
        let encodings: [Encoding]
        /// What the job costs in a batch's token budget (EmbedOptions.computedTokens).
        let tokens: Int
        let arrival: TimeInterval
        /// Every token's hidden state instead of pooled vectors (runs in a forward pass of its own).
        let tokenRows: Bool
        let finish: (Result<EmbeddedRows, Error>) -> Void
    }

    private let embedder: Embedder
    private let window: TimeInterval
    private let maxBatchTexts: Int
    private let maxBatchTokens: Int
    private let maxQueuedTexts: Int
    let tokenizer: any Tokenizer
    private let options: EmbedOptions
    private let condition = NSCondition()
    // Guarded by `condition`:
    private var queue: [Job] = []
    private var queuedTexts = 0
    private var queuedTokens = 0
    private var arriving = 0
    private var stopping = false
    private var running = false
    private var finished = false
    private var batches = 0
    private var embeddedTexts = 0

    let dimension: Int

    /// Called on the worker after each forward pass with its texts and tokens (metrics).
    private let observeBatch: @Sendable (_ texts: Int, _ tokens: Int) -> Void

    init(embedder: Embedder, window: TimeInterval, maxBatchTexts: Int, maxQueuedTexts: Int,
         observeBatch: @escaping @Sendable (_ texts: Int, _ tokens: Int) -> Void = { _, _ in }) {
        self.observeBatch = observeBatch
        precondition(!embedder.options.normalize, "handlers normalize (after any truncation)")
        self.embedder = embedder; self.window = window
        self.maxBatchTexts = maxBatchTexts; self.maxQueuedTexts = maxQueuedTexts
        maxBatchTokens = embedder.options.maxBatchTokens ?? Int.max
        tokenizer = embedder.tokenizer
        options = embedder.options
        dimension = embedder.dimension
    }

    /// Texts waiting now, requests on their way (arrivals open); batches and texts embedded so far.
    var statistics: (queued: Int, arriving: Int, batches: Int, texts: Int) {
        condition.lock(); defer { condition.unlock() }
        return (queuedTexts, arriving, batches, embeddedTexts)
    }

    func start() {
        condition.lock(); defer { condition.unlock() }
        precondition(!running, "the batcher runs once")
        running = true
        let thread = Thread { [self] in work() }
        thread.name = "mirror-bert embedder"
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Refuses new requests, finishes the queued ones, and returns when the worker has exited.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while running && !finished { condition.wait() }
        condition.unlock()
    }

    /// Opens an arrival: a request whose texts are on their way (call as its handler starts).
    func arrival() -> Arrival {
        let a = Arrival()
        condition.lock(); defer { condition.unlock() }
        a.batcher = self
        arriving += 1
        return a
    }

    fileprivate func close(_ a: Arrival) {
        condition.lock(); defer { condition.unlock() }
        settle(a)
    }

    /// Under the lock.
    private func settle(_ a: Arrival) {
        guard a.open else { return }
        a.open = false
        arriving -= 1
        condition.broadcast()
    }

    /// Tokenizes `texts` here and queues them, closing `arrival`; `finish` runs on the worker thread
    /// (it may call BLAS).
    func submit(_ texts: [String], arrival: Arrival? = nil, truncate: Bool = true, tokenRows: Bool = false,
                finish: @escaping (Result<EmbeddedRows, Error>) -> Void) throws {
        let encodings = truncate ? Embedder.tokenize(texts, tokenizer: tokenizer, maxLength: options.maxLength).0
            : texts.map { tokenizer.encode($0, maxLength: nil) }
        if !truncate, let i = encodings.firstIndex(where: { $0.ids.count > options.maxLength }) {
            if let arrival { close(arrival) }  // refused: nothing joins the next batch
            throw APIError.invalid("inputs[\(i)] has \(encodings[i].ids.count) tokens; the limit is \(options.maxLength) "
                                   + "(send truncate: true to cut it)", param: "inputs", code: "input_too_long")
        }
        let tokens = encodings.reduce(0) { $0 + options.computedTokens($1.ids.count) }
        condition.lock(); defer { condition.unlock() }
        if let arrival { settle(arrival) }
        guard running && !stopping else { throw BatcherError.stopped }
        guard queuedTexts + texts.count <= maxQueuedTexts else {
            throw BatcherError.queueFull(queued: queuedTexts, limit: maxQueuedTexts)
        }
        queue.append(Job(encodings: encodings, tokens: tokens, arrival: ProcessInfo.processInfo.systemUptime,
                         tokenRows: tokenRows, finish: finish))
        queuedTexts += texts.count
        queuedTokens += tokens
        condition.broadcast()
    }

    /// Embeds `texts` and runs `body` on the worker thread with their rows.
    func process<R>(_ texts: [String], arrival: Arrival? = nil, truncate: Bool = true, tokenRows: Bool = false,
                    _ body: @escaping (EmbeddedRows) throws -> R) async throws -> R {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<R, Error>) in
            do {
                try submit(texts, arrival: arrival, truncate: truncate, tokenRows: tokenRows) { result in
                    continuation.resume(with: result.flatMap { rows in Result { try body(rows) } })
                }
            } catch {
                continuation.resume(throwing: error)
            }
        }
    }

    // MARK: - Worker

    private func work() {
        var capacity = 0
        var buffer = UnsafeMutablePointer<Float>.allocate(capacity: 1)
        defer { buffer.deallocate() }
        while let jobs = nextBatch() {
            let encodings = jobs.flatMap(\.encodings)
            let tokenRows = jobs[0].tokenRows  // then the only job
            let rows = tokenRows ? encodings.reduce(0) { $0 + $1.ids.count } : encodings.count
            if rows * dimension > capacity {
                buffer.deallocate()
                capacity = rows * dimension
                buffer = .allocate(capacity: capacity)
            }
            do {
                if tokenRows {
                    try embedder.tokenEmbeddings(encodings: encodings, into: buffer)
                    jobs[0].finish(.success(EmbeddedRows(vectors: buffer, dimension: dimension,
                                                         tokens: encodings.map(\.ids.count))))
                } else {
                    try embedder.embed(encodings: encodings, into: buffer)
                    var row = 0
                    for job in jobs {
                        job.finish(.success(EmbeddedRows(vectors: buffer + row * dimension, dimension: dimension,
                                                          tokens: job.encodings.map(\.ids.count))))
                        row += job.encodings.count
                    }
                }
            } catch {
                for job in jobs { job.finish(.failure(error)) }
            }
            observeBatch(encodings.count, jobs.reduce(0) { $0 + $1.tokens })
            condition.lock()
            batches += 1; embeddedTexts += encodings.count
            condition.unlock()
        }
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// Waits for work, and for requests on their way within the batching window; nil once
    /// stopping with an empty queue.
    private func nextBatch() -> [Job]? {
        condition.lock(); defer { condition.unlock() }
        while queue.isEmpty && !stopping { condition.wait() }
        guard let first = queue.first else { return nil }
        let deadline = first.arrival + window
        while !stopping && arriving > 0 && queuedTexts < maxBatchTexts && queuedTokens < maxBatchTokens {
            let remaining = deadline - ProcessInfo.processInfo.systemUptime
            if remaining <= 0 { break }
            _ = condition.wait(until: Date(timeIntervalSinceNow: remaining))
        }
        var jobs = [queue.removeFirst()]
        var n = jobs[0].encodings.count, tokens = jobs[0].tokens
        while !jobs[0].tokenRows, let next = queue.first, !next.tokenRows, n + next.encodings.count <= maxBatchTexts,
              tokens + next.tokens <= maxBatchTokens {
            jobs.append(queue.removeFirst())
            n += next.encodings.count
            tokens += next.tokens
        }
        queuedTexts -= n
        queuedTokens -= tokens
        return jobs
    }
}
