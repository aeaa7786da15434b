// Options shared by the subcommands that load a model.

import ArgumentParser
import Foundation
import Models

/// The default model folder that Scripts/setup.sh fetches.
let defaultModelPath = "models/all-MiniLM-L6-v2"

struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Checkpoint folder (config.json, tokenizer, model.safetensors).",
        discussion: "Default: \(defaultModelPath) when it exists (Scripts/setup.sh fetches it)."))
    var model: String?

    /// The model folder, or a validation error if none was given and the default is absent.
    func directory() throws -> URL {
        if let model { return URL(fileURLWithPath: model) }
        if FileManager.default.fileExists(atPath: defaultModelPath) { return URL(fileURLWithPath: defaultModelPath) }
        throw ValidationError("no --model given and \(defaultModelPath) does not exist (run Scripts/setup.sh)")
    }

    func load() throws -> Checkpoint { try Checkpoint.load(try directory()) }
}

extension Pooling: ExpressibleByArgument {}
