// Which model made an embedding: XXH64 hashes of the checkpoint's model.safetensors and
// config.json. Two folders holding the same files are the same model; the folder path is kept
// only to name it in messages.

import FileIO
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
        func digest(_ name: String) throws -> String {
            let data = try TextLines.readFile(directory.appendingPathComponent(name))
            return data.withUnsafeBytes { XXH64.hex($0) }
        }
        return ModelIdentity(path: directory.path, weightsHash: try digest("model.safetensors"),
                             configHash: try digest("config.json"))
    }

    /// True if both files are byte-identical (the path does not matter).
    public func sameModel(as other: ModelIdentity) -> Bool {
        weightsHash == other.weightsHash && configHash == other.configHash
    }

    /// "models/x (weights xxh64 1a2b3c4d5e6f7a8b, config xxh64 …)".
    public var summary: String { "\(path) (weights xxh64 \(weightsHash), config xxh64 \(configHash))" }
}
