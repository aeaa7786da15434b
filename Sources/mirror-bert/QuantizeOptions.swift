// encode's output transforms, in sentence-transformers' order: --truncate-dim (Matryoshka: the
// first N dimensions, L2-normalized again when the embeddings are normalized; see
// Models/EmbeddingTruncation.swift), then --quantize (`quantize_embeddings`; see
// Models/EmbeddingQuantization.swift), whose int8/uint8 ranges come from --calibration.

import ArgumentParser
import Models

extension QuantizationPrecision: ExpressibleByArgument {}

struct QuantizeOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Keep the first N dimensions of each embedding (Matryoshka).",
        discussion: "As sentence-transformers' truncate_dim. When the embeddings are normalized (--normalize or the folder's Normalize module) they are L2-normalized after truncating (sentence-transformers' normalize_embeddings=True), so rows stay unit length. Quantization applies after truncation."))
    var truncateDim: Int?

    @Option(help: ArgumentHelp(
        "Quantize the embeddings: int8 | uint8 | binary | ubinary.",
        discussion: "Exactly sentence-transformers' quantize_embeddings. int8/uint8: per-dimension buckets of (max − min)/255 over --calibration's embeddings; values outside that range saturate. binary/ubinary: the bits x > 0 packed 8 per byte (⌈D/8⌉ bytes, the last padded with 0 bits); binary is ubinary − 128 as int8. .npy holds int8 (int8, binary) or uint8 (uint8, ubinary); .jsonl and .tsv hold the integers. Not --precision int8, which is how the encoder computes."))
    var quantize: QuantizationPrecision?

    @Option(help: ArgumentHelp(
        "Text file, one text per line: calibration set for --quantize int8/uint8.",
        discussion: "Embedded first, with the same model and settings, as quantize_embeddings' calibration_embeddings: its per-dimension minimum and maximum fix the int8/uint8 buckets before the output is streamed."))
    var calibration: String?

    func validate() throws {
        if let truncateDim, truncateDim < 1 { throw ValidationError("--truncate-dim must be at least 1 (got \(truncateDim))") }
        switch (quantize, calibration) {
        case let (p?, nil) where p.needsRanges:
            throw ValidationError("--quantize \(p.rawValue) needs --calibration FILE: its per-dimension ranges must be known "
                                  + "before the output is streamed, so they come from embedding a calibration set first")
        case let (p?, _?) where !p.needsRanges:
            throw ValidationError("--calibration is for --quantize int8 or uint8; --quantize \(p.rawValue) keeps only the signs "
                                  + "(x > 0) and uses no ranges")
        case (nil, _?):
            throw ValidationError("--calibration needs --quantize int8 or uint8")
        default:
            break
        }
    }

    /// The dimensions kept of a model's `hidden`: --truncate-dim, at most `hidden`.
    func dimension(hidden: Int) throws -> Int {
        guard let truncateDim else { return hidden }
        guard truncateDim <= hidden else {
            throw ValidationError("--truncate-dim \(truncateDim) exceeds the model's \(hidden) dimensions")
        }
        return truncateDim
    }
}
