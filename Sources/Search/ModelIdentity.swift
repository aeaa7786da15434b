// Which model made an embedding: XXH64 hashes of the checkpoint's model.safetensors and
// config.json. Two folders holding the same files are the same model; the folder path is kept
// only to name it in messages.

import Foundation

public struct ModelIdentity: Equatable, Sendable {
    /// The checkpoint folder as given when the identity was taken (informational).
    public var path: String
    /// XXH64 of model.safetensors, 16 lowercase hex digits.
    public var weightsHash: String
    /// XXH64 of config.json, 16 lowercase hex digits.
    public var configHash: String

    public init(path: String, weightsHash: String, configHash: String) {
        self.path = path; self.weightsHash = weightsHash; self.configHash = configHash
    }

    /// Hashes `directory`/model.safetensors and `directory`/config.json.
    public static func of(_ directory: URL) throws -> ModelIdentity {
        ModelIdentity(path: directory.path, weightsHash: try XXH64.file(directory.appendingPathComponent("model.safetensors")).xxh64,
                      configHash: try XXH64.file(directory.appendingPathComponent("config.json")).xxh64)
    }

    /// True if both files are byte-identical (the path does not matter).
    public func sameModel(as other: ModelIdentity) -> Bool {
        weightsHash == other.weightsHash && configHash == other.configHash
    }

    /// "models/x (weights xxh64 1a2b3c4d5e6f7a8b, config xxh64 …)".
    public var summary: String { "\(path) (weights xxh64 \(weightsHash), config xxh64 \(configHash))" }
}
