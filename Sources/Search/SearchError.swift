// Errors for index files and searches; each names the index file it concerns.

public enum SearchError: Error, CustomStringConvertible, Equatable {
    /// The file is not a valid index (bad magic, version, header, sizes, vectors or texts).
    case invalidIndex(path: String, reason: String)
    /// The index was built with another model than the one given.
    case modelMismatch(path: String, index: String, given: String)
    /// The index was built with other embedding options (pooling, max length, dimension).
    case optionMismatch(path: String, option: String, index: String, given: String)
    case invalidInput(String)
    /// FAISS refused an operation (its message).
    case faiss(path: String, message: String)

    public var description: String {
        switch self {
        case let .invalidIndex(path, reason): return "\(path): invalid index: \(reason)"
        case let .modelMismatch(path, index, given):
            return "\(path): the index was built with model \(index), not \(given); "
                + "use the same model (--model) or rebuild the index"
        case let .optionMismatch(path, option, index, given):
            return "\(path): the index was built with \(option) \(index), not \(given); "
                + "use the same \(option) or rebuild the index"
        case let .invalidInput(message): return message
        case let .faiss(path, message): return "\(path): \(message)"
        }
    }
}
