// Every way loading a tokenizer can fail. Each case names the file and says what is wrong with it,
// so a message read on its own tells the user which file to fix.

import FileIO

public enum TokenizerError: Error, CustomStringConvertible, Equatable {
    /// The checkpoint folder does not exist (or is not a folder).
    case folderNotFound(path: String)
    /// The folder has no tokenizer.json, vocab.json + merges.txt or vocab.txt.
    case noTokenizerFiles(folder: String)
    /// A file could not be read (missing, unreadable, invalid UTF-8, NUL byte…).
    case unreadable(path: String, reason: String)
    /// A JSON file is not valid JSON.
    case invalidJSON(path: String, detail: String)
    /// A file is valid JSON but a field is missing or has the wrong shape or value.
    case malformed(path: String, field: String, problem: String)
    /// The file asks for something this implementation does not have (BPE dropout, say).
    case unsupported(path: String, field: String, what: String)
    /// A special token the tokenizer needs (pad, mask, unk…) is missing or not in the vocabulary.
    case missingSpecialToken(path: String, role: String, detail: String)

    public var description: String {
        switch self {
        case let .folderNotFound(path):
            return "\(path): tokenizer folder not found"
        case let .noTokenizerFiles(folder):
            return "\(folder): no tokenizer.json, no vocab.json + merges.txt and no vocab.txt in this folder"
        case let .unreadable(path, reason):
            return "\(path): cannot read: \(reason)"
        case let .invalidJSON(path, detail):
            return "\(path): invalid JSON: \(detail)"
        case let .malformed(path, field, problem):
            return "\(path): \(field): \(problem)"
        case let .unsupported(path, field, what):
            return "\(path): \(field): \(what) is not supported yet"
        case let .missingSpecialToken(path, role, detail):
            return "\(path): no \(role) token: \(detail)"
        }
    }

    /// Wraps a FileIO error for `path`.
    static func from(_ error: Error, path: String) -> TokenizerError {
        if let e = error as? TokenizerError { return e }
        if let e = error as? FileIOError { return .unreadable(path: path, reason: "\(e)") }
        return .unreadable(path: path, reason: "\(error)")
    }
}
