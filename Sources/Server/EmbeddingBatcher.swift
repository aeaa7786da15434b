// One worker thread owns the Embedder (which is not thread-safe) and every BLAS call the server
// makes. Requests queue their texts; the worker takes the oldest request, waits until
// `window` has passed since it arrived (or enough texts are queued), then embeds every queued
// request that fits in `maxBatchTexts` in one Embedder call, and hands each request its rows.
// Under load the queue fills while the worker computes, so batches form without waiting. The
// queue is bounded in texts: a request that would overflow it is refused at once.

import Foundation
import Models

/// The worker's answer to one request: its rows of the batch, valid only during the callback.
struct EmbeddedRows {
    /// (texts.count, dimension) unit vectors.
    let vectors: UnsafePointer<Float>
    let dimension: Int
    /// Tokens per text after truncation, special tokens included.
    let tokens: [Int]
}

enum BatcherError: Error {
    case queueFull(queued: Int, limit: Int)
    case stopped
}

final class EmbeddingBatcher: @unchecked Sendable {
    private struct Job {
        let texts: [String]
        let arrival: TimeInterval
        let finish: (Result<EmbeddedRows, Error>) -> Void
    }

    private let embedder: Embedder
    private let window: TimeInterval
    private let maxBatchTexts: Int
    private let maxQueuedTexts: Int
    private let condition = NSCondition()
    // Guarded by `condition`:
    private var queue: [Job] = []
    private var queuedTexts = 0
    private var stopping = false
    private var running = false
    private var finished = false
    private var batches = 0
    private var embeddedTexts = 0

    let dimension: Int

    init(embedder: Embedder, window: TimeInterval, maxBatchTexts: Int, maxQueuedTexts: Int) {
        precondition(embedder.options.normalize, "the server returns unit vectors")
        self.embedder = embedder; self.window = window
        self.maxBatchTexts = maxBatchTexts; self.maxQueuedTexts = maxQueuedTexts
        dimension = embedder.dimension
    }

    /// Texts waiting now; batches and texts embedded so far.
    var statistics: (queued: Int, batches: Int, texts: Int) {
        condition.lock(); defer { condition.unlock() }
        return (queuedTexts, batches, embeddedTexts)
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

    /// Queues `texts`; `finish` runs on the worker thread (it may call BLAS).
    func submit(_ texts: [String], finish: @escaping (Result<EmbeddedRows, Error>) -> Void) throws {
        condition.lock(); defer { condition.unlock() }
        guard running && !stopping else { throw BatcherError.stopped }
        guard queuedTexts + texts.count <= maxQueuedTexts else {
            throw BatcherError.queueFull(queued: queuedTexts, limit: maxQueuedTexts)
        }
        queue.append(Job(texts: texts, arrival: ProcessInfo.processInfo.systemUptime, finish: finish))
        queuedTexts += texts.count
        condition.broadcast()
    }

    /// Embeds `texts` and runs `body` on the worker thread with their rows.
    func process<R>(_ texts: [String], _ body: @escaping (EmbeddedRows) throws -> R) async throws -> R {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<R, Error>) in
            do {
                try submit(texts) { result in
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
            let texts = jobs.flatMap(\.texts)
            if texts.count * dimension > capacity {
                buffer.deallocate()
                capacity = texts.count * dimension
                buffer = .allocate(capacity: capacity)
            }
            do {
                let tokens = try embedder.embed(texts, into: buffer)
                var row = 0
                for job in jobs {
                    let n = job.texts.count
                    job.finish(.success(EmbeddedRows(vectors: buffer + row * dimension, dimension: dimension,
                                                      tokens: Array(tokens[row..<(row + n)]))))
                    row += n
                }
            } catch {
                for job in jobs { job.finish(.failure(error)) }
            }
            condition.lock()
            batches += 1; embeddedTexts += texts.count
            condition.unlock()
        }
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// Waits for work and the batching window; nil once stopping with an empty queue.
    private func nextBatch() -> [Job]? {
        condition.lock(); defer { condition.unlock() }
        while queue.isEmpty && !stopping { condition.wait() }
        guard let first = queue.first else { return nil }
        let deadline = first.arrival + window
        while !stopping && queuedTexts < maxBatchTexts {
            let remaining = deadline - ProcessInfo.processInfo.systemUptime
            if remaining <= 0 { break }
            _ = condition.wait(until: Date(timeIntervalSinceNow: remaining))
        }
        var jobs = [queue.removeFirst()]
        var n = jobs[0].texts.count
        while let next = queue.first, n + next.texts.count <= maxBatchTexts {
            jobs.append(queue.removeFirst())
            n += next.texts.count
        }
        queuedTexts -= n
        return jobs
    }
}
