// mirror-bert: the command-line entry point. One file per subcommand.

import ArgumentParser

@main
struct MirrorBERTCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mirror-bert",
        abstract: "Mirror-BERT on the CPU: turn a BERT-family checkpoint into a sentence or word encoder, then encode and evaluate with it.",
        subcommands: [TrainCommand.self, EvalCommand.self, CompareCommand.self, EncodeCommand.self, TokenizeCommand.self, InfoCommand.self,
                      ConvertCommand.self])
}
