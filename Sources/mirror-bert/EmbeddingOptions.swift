// The flags of every command that embeds text (encode, eval, compare, index, search, serve), with
// one validation and one order of precedence for each setting:
//   a flag, then what an index records (index --append, search, serve --index), then the model
//   folder's sentence-transformers files (FolderSettings), then the defaults below.
// eval and compare keep the paper's protocol instead of the folder's settings (see `Basis`).

import ArgumentParser
import Foundation
import Kernels
import Models
import Search

struct EmbeddingOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "cls | mean (all positions, padding included, padded to --max-length) | mean-masked.",
        discussion: "Default: the model folder's pooling module (sentence-transformers' mean is mean-masked), else mean-masked."))
    var pooling: Pooling?

    @Option(help: ArgumentHelp(
        "Truncate texts to this many tokens (special tokens included).",
        discussion: "Default: the model folder's max_seq_length (sentence_bert_config.json), else 128."))
    var maxLength: Int?

    @Option(help: "Texts per forward pass at most (default 256).")
    var batchSize: Int?

    @Option(help: ArgumentHelp(
        "Tokens per forward pass at most (default 1024).",
        discussion: "Texts are sorted by length and each batch is filled, longest first, until the next text would pass this many tokens (its own tokens; --max-length for mean pooling, which pads) or --batch-size texts. A text longer than the budget runs alone. Batching changes an fp32 embedding only by rounding (≤ 2e-6)."))
    var maxBatchTokens: Int?

    @Flag(inversion: .prefixedNo, help: ArgumentHelp(
        "L2-normalize each embedding.",
        discussion: "Default: when the model folder has a Normalize module (encode); index, search and serve always normalize."))
    var normalize: Bool?

    @OptionGroup var precisionOption: PrecisionOption

    static let defaultPooling = Pooling.meanMasked
    static let defaultMaxLength = 128
    static let defaultBatchSize = EmbedOptions.defaultBatchSize
    static let defaultMaxBatchTokens = EmbedOptions.defaultMaxBatchTokens

    func validate() throws {
        if let maxLength, maxLength < 2 { throw ValidationError("--max-length must be at least 2") }
        if let batchSize, batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
        if let maxBatchTokens, maxBatchTokens < 1 { throw ValidationError("--max-batch-tokens must be at least 1") }
    }

    /// Where the settings come from besides the flags.
    enum Basis {
        /// The model folder's files, then the defaults (encode, index, search, serve).
        case folder(FolderSettings)
        /// The paper's evaluation protocol, the same for every model so that before/after tables
        /// compare like with like: mean-masked pooling, max length 64 (eval, compare).
        case paper
    }

    /// A setting and where it came from, for the line a command prints.
    struct Resolved {
        var options: EmbedOptions
        var precision: Precision
        var sources: [String]
        /// Flags that overrode what the folder or index declares, said as such.
        var overrides: [String]
    }

    /// `resolve` for the model folder at `directory`, reading its config.json and
    /// sentence-transformers files but not its weights (so a refusal comes before the large read).
    func resolve(folder directory: URL, recorded: IndexHeader?, alwaysNormalize: Bool) throws -> Resolved {
        let config = try EncoderConfig.load(directory.appendingPathComponent("config.json"))
        return try resolve(.folder(try FolderSettings.read(directory)), recorded: recorded,
                           modelLimit: config.maxSequenceLength, alwaysNormalize: alwaysNormalize)
    }

    /// The embedding options for a model with sequences up to `modelLimit` tokens.
    /// `recorded` is an index's pooling and max length; `alwaysNormalize` for unit-vector outputs.
    func resolve(_ base: Basis, recorded: IndexHeader? = nil, modelLimit: Int, alwaysNormalize: Bool = false) throws -> Resolved {
        var sources: [String] = [], overrides: [String] = []
        var folder = FolderSettings()
        var declaredBy = "the model folder"
        var fallbackLength = Self.defaultMaxLength
        switch base {
        case let .folder(settings):
            folder = settings
            if let unsupported = folder.unappliedModules.first {
                Console.note("warning: the model folder's modules.json lists \(unsupported), which mirror-bert does not apply; "
                             + "its embeddings differ from sentence-transformers'")
            }
        case .paper: fallbackLength = 64
        }
        if let recorded { declaredBy = "the index"; folder.pooling = recorded.pooling; folder.maxLength = recorded.maxLength }

        func pick<T: Equatable>(_ flag: T?, _ name: String, declared: T?, fallback: T, show: (T) -> String) -> T {
            let label = name.dropFirst(2).replacingOccurrences(of: "-", with: " ")
            if let flag {
                if let declared, declared != flag { overrides.append("\(name) \(show(flag)) overrides \(declaredBy)'s \(show(declared))") }
                sources.append("\(label) \(show(flag)) (flag)")
                return flag
            }
            if let declared {
                sources.append("\(label) \(show(declared)) (\(declaredBy))")
                return declared
            }
            sources.append("\(label) \(show(fallback)) (default)")
            return fallback
        }
        let pooling = pick(self.pooling, "--pooling", declared: folder.pooling, fallback: Self.defaultPooling, show: \.rawValue)
        var declaredLength = folder.maxLength
        if let n = declaredLength, n > modelLimit, recorded == nil {
            Console.note("note: the model folder's max_seq_length \(n) is beyond the model's \(modelLimit) positions; using \(modelLimit)")
            declaredLength = modelLimit
        }
        let maxLength = pick(self.maxLength, "--max-length", declared: declaredLength, fallback: fallbackLength, show: { "\($0)" })
        guard maxLength <= modelLimit else {
            throw ValidationError("--max-length \(maxLength) exceeds the model's limit of \(modelLimit) tokens")
        }
        let normalize: Bool
        if alwaysNormalize {
            if self.normalize == false { throw ValidationError("--no-normalize: this command stores and compares unit vectors") }
            normalize = true
        } else if case .paper = base {
            normalize = false  // cosine similarity does not depend on it
        } else {
            normalize = pick(self.normalize, "--normalize", declared: folder.normalize ? true : nil, fallback: false,
                             show: { $0 ? "on" : "off" })
        }
        let precision = try precisionOption.resolve()
        sources.append(PrecisionOption.describe(precision, request: precisionOption.precision))
        return Resolved(options: EmbedOptions(pooling: pooling, maxLength: maxLength, batchSize: batchSize ?? Self.defaultBatchSize,
                                              maxBatchTokens: maxBatchTokens ?? Self.defaultMaxBatchTokens,
                                              normalize: normalize, precision: precision),
                        precision: precision,
                        sources: sources, overrides: overrides)
    }
}

extension EmbeddingOptions.Resolved {
    /// Prints the overrides and, unless `quiet`, the settings with their sources.
    func announce(_ command: String, quiet: Bool = false) {
        for o in overrides { Console.note("\(command): \(o)") }
        if !quiet { Console.note("\(command): \(sources.joined(separator: ", "))") }
    }
}
