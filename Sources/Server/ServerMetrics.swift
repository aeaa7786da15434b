// Prometheus metrics of one server (GET /metrics), in a registry of its own so that several
// servers in one process (tests) count separately. Names follow Text Embeddings Inference's
// `te_*` metrics where TEI has one (router/src/lib.rs, core/src/queue.rs, core/src/tokenization.rs),
// with TEI's buckets: durations a geometric series from 15 µs by ×1.5 (35 buckets), input
// lengths and batch sizes powers of two.

import Foundation
import Prometheus

final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    /// te_request_count{method="single"|"batch"}: requests to an embedding route (inputs one or many).
    private let requestsSingle: Counter
    private let requestsBatch: Counter
    /// te_request_success{method}.
    private let successSingle: Counter
    private let successBatch: Counter
    /// te_request_duration: seconds from the handler's start to the answer (successful requests).
    let requestDuration: DurationHistogram
    /// te_request_input_length: tokens per input (after truncation, special tokens included).
    let inputLength: ValueHistogram
    /// te_queue_size: texts waiting for the embedder (sampled when /metrics is read).
    let queueSize: Gauge
    /// te_batch_next_size / te_batch_next_tokens: texts and tokens of each forward pass.
    let batchSize: ValueHistogram
    let batchTokens: ValueHistogram
    /// mirror_bert_request_timeouts_total{phase="head"|"body"}: requests that missed a deadline
    /// before their answer was complete (RequestDeadlineHandler): answered 408, or cut short.
    private let headTimeouts: Counter
    private let bodyTimeouts: Counter
    /// mirror_bert_http_requests_total{path, status}: every answer, health checks included.
    private let lock = NSLock()
    nonisolated(unsafe) private var answers: [String: Counter] = [:]
    /// te_request_failure{err}: failed requests by TEI's error kind.
    nonisolated(unsafe) private var failures: [String: Counter] = [:]

    init(maxInputLength: Int) {
        var value = 0.00001, durations: [Duration] = []
        for _ in 0..<35 {
            value *= 1.5
            durations.append(.nanoseconds(Int64(value * 1e9)))
        }
        let powers = { (n: Int) in (0..<n).map { Double(1 << $0) } }
        let count = Self.name("te_request_count", "Embedding requests, by one input (single) or several (batch)")
        let success = Self.name("te_request_success", "Embedding requests answered")
        requestsSingle = registry.makeCounter(descriptor: count, labels: [("method", "single")])
        requestsBatch = registry.makeCounter(descriptor: count, labels: [("method", "batch")])
        successSingle = registry.makeCounter(descriptor: success, labels: [("method", "single")])
        successBatch = registry.makeCounter(descriptor: success, labels: [("method", "batch")])
        requestDuration = registry.makeDurationHistogram(
            descriptor: Self.name("te_request_duration", "Seconds from an embedding request's start to its answer"),
            buckets: durations)
        inputLength = registry.makeValueHistogram(
            descriptor: Self.name("te_request_input_length", "Tokens per input after truncation"),
            buckets: powers(20).filter { $0 <= Double(maxInputLength) })
        queueSize = registry.makeGauge(descriptor: Self.name("te_queue_size", "Texts waiting for the embedder"))
        batchSize = registry.makeValueHistogram(descriptor: Self.name("te_batch_next_size", "Texts per forward pass"),
                                                buckets: powers(13))
        let timeouts = Self.name("mirror_bert_request_timeouts_total", "Requests whose head or body missed its deadline")
        headTimeouts = registry.makeCounter(descriptor: timeouts, labels: [("phase", "head")])
        bodyTimeouts = registry.makeCounter(descriptor: timeouts, labels: [("phase", "body")])
        batchTokens = registry.makeValueHistogram(descriptor: Self.name("te_batch_next_tokens", "Tokens per forward pass"),
                                                  buckets: powers(21))
    }

    /// An embedding request arrived with `inputs` texts.
    func request(inputs: Int) { (inputs == 1 ? requestsSingle : requestsBatch).increment() }

    /// It succeeded after `seconds`, its inputs having `tokens` tokens each.
    func success(inputs: Int, tokens: [Int], started: ContinuousClock.Instant) {
        (inputs == 1 ? successSingle : successBatch).increment()
        requestDuration.record(ContinuousClock.now - started)
        for t in tokens { inputLength.record(Double(t)) }
    }

    /// A request missed its head or body deadline.
    func timedOut(_ phase: RequestDeadlineHandler.Phase) {
        (phase == .head ? headTimeouts : bodyTimeouts).increment()
    }

    /// Any answer: counted by route and status; a failure also by TEI's error kind.
    func answered(path: String, status: Int, failure: String?) {
        lock.withLock {
            let key = "\(path) \(status)"
            let counter = answers[key] ?? {
                let c = registry.makeCounter(
                    descriptor: Self.name("mirror_bert_http_requests_total", "HTTP answers by route and status"),
                    labels: [("path", path), ("status", "\(status)")])
                answers[key] = c
                return c
            }()
            counter.increment()
            if let failure {
                let f = failures[failure] ?? {
                    let c = registry.makeCounter(descriptor: Self.name("te_request_failure", "Failed requests by kind"),
                                                 labels: [("err", failure)])
                    failures[failure] = c
                    return c
                }()
                f.increment()
            }
        }
    }

    /// A metric's full name (no unit suffix: TEI's names carry none) and its # HELP text.
    private static func name(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    /// The text exposition format.
    func exposition(queued: Int) -> [UInt8] {
        queueSize.set(Double(queued))
        return registry.emitToBuffer()
    }
}
