// Batched inference: texts → pooled (optionally L2-normalized) embeddings. Texts are tokenized,
// sorted by length and batched; a batch is packed without any padding — except for `mean`
// pooling, whose result depends on the padding, which pads every row to `maxLength` as the
// Mirror-BERT scripts do. Results come back in input order.

import Foundation
import Kernels
import Tokenizers

public struct EmbedOptions: Sendable {
    public var pooling: Pooling
    public var maxLength: Int
    public var batchSize: Int
    public var normalize: Bool
    /// The precision of the encoder's matrix products; nil keeps the encoder's own (so an
    /// embedder made by a training run for monitoring computes as the training does).
    public var precision: Precision?
    public init(pooling: Pooling = .meanMasked, maxLength: Int = 128, batchSize: Int = 64, normalize: Bool = false,
                precision: Precision? = nil) {
        self.pooling = pooling; self.maxLength = maxLength; self.batchSize = batchSize; self.normalize = normalize
        self.precision = precision
    }
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
        let H = dimension
        if let p = options.precision, encoder.precision != p { encoder.setPrecision(p) }
        // Tokenize once; sort by length (longest first, stable) so batches pad little.
        let encodings = texts.map { tokenizer.encode($0, maxLength: options.maxLength) }
        for (t, e) in zip(texts, encodings) where e.ids.count >= options.maxLength {
            // At the limit: count it as truncated if the untruncated encoding is longer.
            if tokenizer.encode(t, maxLength: nil).ids.count > options.maxLength { truncatedCount += 1 }
        }
        let order = encodings.indices.sorted { (a, b) in
            encodings[a].ids.count != encodings[b].ids.count ? encodings[a].ids.count > encodings[b].ids.count : a < b
        }
        let pooled = FloatBuffer(count: options.batchSize * H)
        var done = 0
        for start in stride(from: 0, to: order.count, by: options.batchSize) {
            let rows = Array(order[start..<min(start + options.batchSize, order.count)])
            let batchEncodings = rows.map { encodings[$0] }
            let input = try EncoderInput(batchEncodings, padTo: options.maxLength, packed: options.pooling.isPaddingIndependent,
                                         padTokenId: tokenizer.padTokenId, config: encoder.config)
            let hidden = encoder.forward(input, workspace: workspace)
            options.pooling.forward(pooled.pointer, hidden: hidden, input: input, hiddenSize: H)
            if options.normalize { Pooling.normalize(pooled.pointer, rows: rows.count, columns: H) }
            for (k, i) in rows.enumerated() { (out + i * H).update(from: pooled.pointer + k * H, count: H) }
            tokenCount += batchEncodings.reduce(0) { $0 + $1.ids.count }
            done += rows.count
            progress?(done, texts.count)
        }
        return encodings.map(\.ids.count)
    }

    /// Embeds `texts`, one array per text.
    public func embed(_ texts: [String], progress: ((Int, Int) -> Void)? = nil) throws -> [[Float]] {
        let buffer = FloatBuffer(count: texts.count * dimension)
        try embed(texts, into: buffer.pointer, progress: progress)
        return (0..<texts.count).map { Array(UnsafeBufferPointer(start: buffer.pointer + $0 * dimension, count: dimension)) }
    }
}
