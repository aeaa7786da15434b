// mirror-bert: the command-line entry point. One file per subcommand.

import ArgumentParser

@main
struct MirrorBERTCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mirror-bert",
        abstract: "Mirror-BERT on the CPU: turn a BERT-family checkpoint into a sentence or word encoder, then encode, evaluate, search and serve with it.",
        subcommands: [TrainCommand.self, EvalCommand.self, CompareCommand.self, EncodeCommand.self, TokenizeCommand.self, InfoCommand.self,
                      IndexCommand.self, SearchCommand.self, ServeCommand.self, ConvertCommand.self, MergeCommand.self])
}
