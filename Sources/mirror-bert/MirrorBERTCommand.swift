import ArgumentParser

@main
struct MirrorBERTCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mirror-bert",
        abstract: "Mirror-BERT: turn a BERT-family checkpoint into a sentence or word encoder on the CPU.",
        subcommands: [])
}
