// Batched inference: texts → pooled (optionally L2-normalized) embeddings. Texts are tokenized,
// sorted by length (longest first) and cut into batches of at most `maxBatchTokens` computed
// tokens and `batchSize` rows (`Embedder.batches`); a batch is packed without any padding —
// except for `mean` pooling, whose result depends on the padding, which pads every row to
// `maxLength` as the Mirror-BERT scripts do (a row then costs maxLength tokens). Results come
// back in input order. In fp32 a text's embedding does not depend on its batch beyond the
// rounding of its position in a packed batch (≤ 2e-6).

import Foundation
import Kernels
import Tokenizers

public struct EmbedOptions: Sendable {
    public var pooling: Pooling
    public var maxLength: Int
    /// Rows per forward pass at most.
    public var batchSize: Int
    /// Computed tokens per forward pass at most (a row's real tokens; maxLength for a padded row);
    /// nil: rows only. A single row longer than the budget still runs, alone.
    public var maxBatchTokens: Int?
    public var normalize: Bool
    /// The precision of the encoder's matrix products; nil keeps the encoder's own (so an
    /// embedder made by a training run for monitoring computes as the training does).
    public var precision: Precision?
    /// Rows and tokens per forward pass unless told otherwise. Measured (Zen 4, 2 threads, 2000
    /// STS-B sentences): MiniLM int8 ran at 2870 / 2594 / 2454 sentences/s with 256 / 1024 / 4096
    /// tokens per batch (the batch's activations leave the caches as it grows) and MPNet was flat,
    /// while memory grows with the budget; 256 rows leaves short texts (words) room to fill it.
    public static let defaultBatchSize = 256
    public static let defaultMaxBatchTokens = 1024

    public init(pooling: Pooling = .meanMasked, maxLength: Int = 128, batchSize: Int = defaultBatchSize,
                maxBatchTokens: Int? = defaultMaxBatchTokens, normalize: Bool = false, precision: Precision? = nil) {
        self.pooling = pooling; self.maxLength = maxLength; self.batchSize = batchSize; self.maxBatchTokens = maxBatchTokens
        self.normalize = normalize; self.precision = precision
    }

    /// What a row of `length` real tokens costs in a batch's token budget.
    public func computedTokens(_ length: Int) -> Int { pooling.isPaddingIndependent ? length : maxLength }
}

public final class Embedder {
    public let encoder: Encoder
    public let tokenizer: any Tokenizer
    public var options: EmbedOptions
    private let workspace: EncoderWorkspace
    /// Texts truncated to `maxLength` tokens so far.
    public private(set) var truncatedCount = 0
    /// Tokens (including special tokens, excluding padding) encoded so far.
    public private(set) var tokenCount = 0

    public init(encoder: Encoder, tokenizer: any Tokenizer, options: EmbedOptions) throws {
        guard options.maxLength >= 2 else { throw ModelError.invalidInput("max length \(options.maxLength) is less than 2") }
        guard options.maxLength <= encoder.config.maxSequenceLength else {
            throw ModelError.invalidInput(
                "max length \(options.maxLength) exceeds the model's limit of \(encoder.config.maxSequenceLength) tokens")
        }
        guard options.batchSize >= 1 else { throw ModelError.invalidInput("batch size \(options.batchSize) is less than 1") }
        if let budget = options.maxBatchTokens, budget < 1 {
            throw ModelError.invalidInput("max batch tokens \(budget) is less than 1")
        }
        self.encoder = encoder
        self.tokenizer = tokenizer
        self.options = options
        workspace = EncoderWorkspace(config: encoder.config, training: false)
    }

    public convenience init(_ checkpoint: Checkpoint, options: EmbedOptions) throws {
        try self.init(encoder: checkpoint.encoder, tokenizer: checkpoint.tokenizer, options: options)
    }

    public var dimension: Int { encoder.config.hiddenSize }

    /// Embeds `texts` into `out` (texts.count, dimension), row i for texts[i]; returns each text's
    /// token count after truncation, special tokens included (what the encoder saw).
    /// `progress(done, total)` is called after each batch.
    @discardableResult
    public func embed(_ texts: [String], into out: UnsafeMutablePointer<Float>,
                      progress: ((Int, Int) -> Void)? = nil) throws -> [Int] {
        let encodings = tokenize(texts)
        try embed(encodings: encodings, into: out, progress: progress)
        return encodings.map(\.ids.count)
    }

    /// Each text's encoding, truncated to `maxLength` (counted in `truncatedCount`). The static
    /// form below touches no embedder state, so a server can tokenize on its request threads.
    public func tokenize(_ texts: [String]) -> [Encoding] {
        let (encodings, truncated) = Self.tokenize(texts, tokenizer: tokenizer, maxLength: options.maxLength)
        truncatedCount += truncated
        return encodings
    }

    /// `texts` encoded with truncation to `maxLength`, and how many of them were longer.
    public static func tokenize(_ texts: [String], tokenizer: any Tokenizer, maxLength: Int) -> ([Encoding], truncated: Int) {
        let encodings = texts.map { tokenizer.encode($0, maxLength: maxLength) }
        var truncated = 0
        for (t, e) in zip(texts, encodings) where e.ids.count >= maxLength {
            // At the limit: count it as truncated if the untruncated encoding is longer.
            if tokenizer.encode(t, maxLength: nil).ids.count > maxLength { truncated += 1 }
        }
        return (encodings, truncated)
    }

    /// Embeds tokenized texts (each at most `maxLength` ids) into `out`, row i for encodings[i].
    public func embed(encodings: [Encoding], into out: UnsafeMutablePointer<Float>,
                      progress: ((Int, Int) -> Void)? = nil) throws {
        let H = dimension
        if let p = options.precision, encoder.precision != p { encoder.setPrecision(p) }
        let plan = Self.batches(lengths: encodings.map(\.ids.count), options: options)
        let pooled = FloatBuffer(count: (plan.map(\.count).max() ?? 0) * H)
        var done = 0
        for rows in plan {
            let batchEncodings = rows.map { encodings[$0] }
            let input = try EncoderInput(batchEncodings, padTo: options.maxLength, packed: options.pooling.isPaddingIndependent,
                                         padTokenId: tokenizer.padTokenId, config: encoder.config)
            let hidden = encoder.forward(input, workspace: workspace)
            options.pooling.forward(pooled.pointer, hidden: hidden, input: input, hiddenSize: H)
            if options.normalize { Pooling.normalize(pooled.pointer, rows: rows.count, columns: H) }
            for (k, i) in rows.enumerated() { (out + i * H).update(from: pooled.pointer + k * H, count: H) }
            tokenCount += batchEncodings.reduce(0) { $0 + $1.ids.count }
            done += rows.count
            progress?(done, encodings.count)
        }
    }

    /// The last hidden state of every token (special tokens included) of each encoding, as TEI's
    /// /embed_all: `out` (Σ ids.count, dimension), encoding i's rows after those of 0..<i. Rows of
    /// packed sequences (attention never crosses sequences, so padding would not change them).
    public func tokenEmbeddings(encodings: [Encoding], into out: UnsafeMutablePointer<Float>) throws {
        let H = dimension
        if let p = options.precision, encoder.precision != p { encoder.setPrecision(p) }
        var start = [Int](repeating: 0, count: encodings.count)
        for i in encodings.indices.dropFirst() { start[i] = start[i - 1] + encodings[i - 1].ids.count }
        for rows in Self.batches(lengths: encodings.map(\.ids.count), options: options) {
            let input = try EncoderInput(packing: rows.map { encodings[$0] }, config: encoder.config)
            let hidden = encoder.forward(input, workspace: workspace)
            for (k, i) in rows.enumerated() {
                (out + start[i] * H).update(from: hidden + input.offsets[k] * H, count: input.lengths[k] * H)
            }
            tokenCount += input.tokens
        }
    }

    /// The forward passes for texts of `lengths` tokens: indices sorted by length (longest first,
    /// stable, so batches pad little and the plan is a function of the lengths alone), cut
    /// greedily into batches of at most `batchSize` rows and `maxBatchTokens` computed tokens.
    public static func batches(lengths: [Int], options: EmbedOptions) -> [[Int]] {
        let order = lengths.indices.sorted { (a, b) in lengths[a] != lengths[b] ? lengths[a] > lengths[b] : a < b }
        let budget = options.maxBatchTokens ?? Int.max
        var plan: [[Int]] = [], current: [Int] = [], tokens = 0
        for i in order {
            let cost = options.computedTokens(lengths[i])
            if !current.isEmpty && (current.count == options.batchSize || tokens + cost > budget) {
                plan.append(current); current = []; tokens = 0
            }
            current.append(i); tokens += cost
        }
        if !current.isEmpty { plan.append(current) }
        return plan
    }

    /// Embeds `texts`, one array per text.
    public func embed(_ texts: [String], progress: ((Int, Int) -> Void)? = nil) throws -> [[Float]] {
        let buffer = FloatBuffer(count: texts.count * dimension)
        try embed(texts, into: buffer.pointer, progress: progress)
        return (0..<texts.count).map { Array(UnsafeBufferPointer(start: buffer.pointer + $0 * dimension, count: dimension)) }
    }
}
