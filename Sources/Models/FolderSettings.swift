// How a model folder says it is used, in sentence-transformers' files, read back by every command
// that embeds (as sentence-transformers and mlx-swift-examples' embedders do) and written by train:
//   modules.json               [{"idx", "name", "path", "type"}]: Transformer → Pooling → Normalize?
//   1_Pooling/config.json      {"word_embedding_dimension": H, "pooling_mode_cls_token": bool,
//                               "pooling_mode_mean_tokens": bool, …} (sentence-transformers < 6),
//                              or {"embedding_dimension": H, "pooling_mode": "cls" | "mean" | […]}
//   sentence_bert_config.json  {"max_seq_length": N, "do_lower_case": false}
//   config_sentence_transformers.json  {"prompts": {"query": "query: ", …}} (other keys ignored)
// sentence-transformers' "mean" is the masked mean (`mean-masked` here): a folder cannot declare
// the Mirror-BERT scripts' mean over padding, and sentence-transformers refuses unknown keys in
// these files. What `train` pooled with is recorded in training_args.json ("pooling",
// "max_length", "padded_rows", "pad_queries" when set), which `info` shows. Without modules.json,
// sentence-transformers pools with its mean; so does this tool's default.

import FileIO
import Foundation
import JSON

/// What a model folder declares about pooling, normalization and input length.
public struct FolderSettings: Equatable, Sendable {
    /// The pooling module's mode; nil when the folder has no pooling module.
    public var pooling: Pooling?
    /// A Normalize module follows the pooling (unit-length embeddings).
    public var normalize: Bool
    /// sentence_bert_config.json's max_seq_length: inputs are truncated to this many tokens.
    public var maxLength: Int?
    /// Module types after the transformer that this tool does not apply (e.g. Dense); embeddings
    /// then differ from sentence-transformers', and commands say so.
    public var unappliedModules: [String]
    /// How `mirror-bert train` pooled while training (from training_args.json), if it made the folder.
    public var training: TrainingPooling?
    /// config_sentence_transformers.json's `prompts`: name → text prepended to an input when a
    /// request names the prompt (sentence-transformers' and TEI's `prompt_name`).
    public var prompts: [String: String] = [:]

    public struct TrainingPooling: Equatable, Sendable {
        public var pooling: Pooling
        public var maxLength: Int
        /// Rows were padded to `maxLength` (so `mean` included the padding).
        public var padded: Bool
        /// Rows were packed with at most this many pad queries each (`mean` weighted them to stand
        /// for the padding); nil when the run had none.
        public var padQueries: Int? = nil
    }

    public init(pooling: Pooling? = nil, normalize: Bool = false, maxLength: Int? = nil, unappliedModules: [String] = [],
                training: TrainingPooling? = nil) {
        self.pooling = pooling; self.normalize = normalize; self.maxLength = maxLength
        self.unappliedModules = unappliedModules; self.training = training
    }

    // MARK: - Reading

    private struct ModuleEntry: Decodable {
        var path: String
        var type: String
        /// The last component of the Python class path ("Pooling").
        var kind: Substring { type.split(separator: ".").last ?? Substring(type) }
    }

    private struct SentenceBertConfig: Decodable { var max_seq_length: Int? }

    private struct SentenceTransformersConfig: Decodable { var prompts: [String: String]? }

    private struct TrainingArguments: Decodable {
        var pooling: Pooling
        var max_length: Int
        var padded_rows: Bool?
        var pad_queries: Int?
    }

    /// Reads the folder's sentence-transformers files (each optional); a file that is there but
    /// malformed, or declares a pooling this tool does not implement, is an error naming it.
    public static func read(_ directory: URL) throws -> FolderSettings {
        var settings = FolderSettings()
        if let config = try decodeIfPresent(SentenceBertConfig.self, directory.appendingPathComponent("sentence_bert_config.json")),
           let n = config.max_seq_length {
            guard n >= 2 else {
                throw ModelError.invalidConfig(path: directory.appendingPathComponent("sentence_bert_config.json").path,
                                               reason: "max_seq_length \(n) is less than 2")
            }
            settings.maxLength = n
        }
        let modulesURL = directory.appendingPathComponent("modules.json")
        if let modules = try decodeIfPresent([ModuleEntry].self, modulesURL) {
            for module in modules {
                switch module.kind {
                case "Transformer": continue
                case "Pooling":
                    let url = directory.appendingPathComponent(module.path).appendingPathComponent("config.json")
                    guard let value = try readIfPresent(url) else {
                        throw ModelError.missingFile(path: url.path, what: "the pooling module's config.json (modules.json lists it)")
                    }
                    settings.pooling = try poolingMode(value, path: url.path)
                case "Normalize": settings.normalize = true
                default: settings.unappliedModules.append(module.type)
                }
            }
        }
        let stURL = directory.appendingPathComponent("config_sentence_transformers.json")
        if let config = try decodeIfPresent(SentenceTransformersConfig.self, stURL) {
            settings.prompts = config.prompts ?? [:]
        }
        let argsURL = directory.appendingPathComponent("training_args.json")
        if let args = try decodeIfPresent(TrainingArguments.self, argsURL) {
            settings.training = TrainingPooling(pooling: args.pooling, maxLength: args.max_length,
                                                padded: args.padded_rows ?? !args.pooling.isPaddingIndependent,
                                                padQueries: args.pad_queries)
        }
        return settings
    }

    /// The mode of a 1_Pooling/config.json, either form.
    static func poolingMode(_ value: JSONValue, path: String) throws -> Pooling {
        var modes: [String] = []
        switch value["pooling_mode"] {
        case let .string(s)?: modes = [s]
        case let .array(items)?:
            for item in items {
                guard case let .string(s) = item else {
                    throw ModelError.invalidConfig(path: path, reason: "\"pooling_mode\" must hold strings")
                }
                modes.append(s)
            }
        case nil, .null?:
            let legacy = [("pooling_mode_cls_token", "cls"), ("pooling_mode_mean_tokens", "mean"),
                          ("pooling_mode_max_tokens", "max"), ("pooling_mode_mean_sqrt_len_tokens", "mean_sqrt_len_tokens"),
                          ("pooling_mode_weightedmean_tokens", "weightedmean"), ("pooling_mode_lasttoken", "lasttoken")]
            for (key, mode) in legacy {
                switch value[key] {
                case .bool(true)?: modes.append(mode)
                case .bool(false)?, nil, .null?: break
                case let other?: throw ModelError.invalidConfig(path: path, reason: "\"\(key)\" must be true or false, found \(other.kindName)")
                }
            }
            if modes.isEmpty { modes = ["mean"] }  // sentence-transformers' default
        case let other?:
            throw ModelError.invalidConfig(path: path, reason: "\"pooling_mode\" must be a string or an array, found \(other.kindName)")
        }
        switch modes {
        case ["cls"]: return .cls
        case ["mean"]: return .meanMasked
        default:
            throw ModelError.unsupported(path: path, what: "pooling mode \(modes.joined(separator: " + ")) (supported: cls, mean)")
        }
    }

    private static func readIfPresent(_ url: URL) throws -> JSONValue? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let data: Data
        do { data = try TextLines.readFile(url) } catch {
            throw ModelError.invalidConfig(path: url.path, reason: "cannot read: \(error)")
        }
        return try JSONValueDecoder().decode(JSONValue.self, from: data, maxDepth: 16) {
            ModelError.invalidConfig(path: url.path, reason: $0)
        }
    }

    private static func decodeIfPresent<T: Decodable>(_ type: T.Type, _ url: URL) throws -> T? {
        guard let value = try readIfPresent(url) else { return nil }
        return try JSONValueDecoder().decode(T.self, from: value) { ModelError.invalidConfig(path: url.path, reason: $0) }
    }

    // MARK: - Writing

    /// Writes modules.json, 1_Pooling/config.json and sentence_bert_config.json into `folder`:
    /// this folder's pooling (`mean` and `mean-masked` both as sentence-transformers' mean),
    /// a Normalize module if `normalize`, and `maxLength` if known.
    func write(into folder: AtomicDirectory, hiddenSize: Int) throws {
        var modules: [JSONValue] = [
            .object([("idx", .int(0)), ("name", .string("0")), ("path", .string("")),
                     ("type", .string("sentence_transformers.models.Transformer"))]),
            .object([("idx", .int(1)), ("name", .string("1")), ("path", .string("1_Pooling")),
                     ("type", .string("sentence_transformers.models.Pooling"))]),
        ]
        if normalize {
            modules.append(.object([("idx", .int(2)), ("name", .string("2")), ("path", .string("2_Normalize")),
                                    ("type", .string("sentence_transformers.models.Normalize"))]))
        }
        try AtomicFile.write(Data(JSONValue.array(modules).serialized(.pretty)), to: folder.file("modules.json"))
        let pooling = self.pooling ?? .meanMasked
        let poolingConfig = JSONValue.object([
            ("word_embedding_dimension", .int(hiddenSize)),
            ("pooling_mode_cls_token", .bool(pooling == .cls)),
            ("pooling_mode_mean_tokens", .bool(pooling != .cls)),
            ("pooling_mode_max_tokens", .bool(false)),
            ("pooling_mode_mean_sqrt_len_tokens", .bool(false)),
        ])
        let poolingDir = folder.file("1_Pooling")
        do {
            try FileManager.default.createDirectory(at: poolingDir, withIntermediateDirectories: true)
        } catch {
            throw FileIOError.cannotWrite(path: poolingDir.path, reason: error.localizedDescription)
        }
        try AtomicFile.write(Data(poolingConfig.serialized(.pretty)), to: poolingDir.appendingPathComponent("config.json"))
        var sbert: [(key: String, value: JSONValue)] = []
        if let maxLength { sbert.append(("max_seq_length", .int(maxLength))) }
        sbert.append(("do_lower_case", .bool(false)))
        try AtomicFile.write(Data(JSONValue.object(sbert).serialized(.pretty)), to: folder.file("sentence_bert_config.json"))
    }
}
