// mirror-bert tokenize: token ids for each line of stdin.

import ArgumentParser
import FileIO
import Foundation
import Tokenizers

struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Print the token ids ([CLS] … [SEP] included) of each stdin line, space-separated, one line per input line.")

    @OptionGroup var modelOptions: ModelOptions

    @Option(help: "Truncate to this many tokens, special tokens included.")
    var maxLength: Int?

    func run() throws {
        if let maxLength, maxLength < 2 { throw ValidationError("--max-length must be at least 2") }
        let tokenizer = try TokenizerLoader.load(from: try modelOptions.directory())
        let data = FileHandle.standardInput.readDataToEndOfFile()
        let lines = try data.withUnsafeBytes { try TextLines.split($0, path: "<stdin>") }
        var out = ""
        out.reserveCapacity(lines.count * 32)
        for line in lines {
            let ids = tokenizer.encode(line, maxLength: maxLength).ids
            out += ids.map(String.init).joined(separator: " ")
            out += "\n"
        }
        FileHandle.standardOutput.write(Data(out.utf8))
    }
}
