// Every way evaluation can fail on its input, each naming the file, line, set or folder concerned
// and, where the user can fix it, how.

import FileIO

public enum EvaluationError: Error, CustomStringConvertible, Equatable {
    /// A line that is not `score<TAB>text1<TAB>text2` (or `label<TAB>…` for a labelled set).
    case malformedLine(path: String, line: Int, reason: String)
    /// A file with no pairs at all.
    case emptySet(path: String)
    /// The data folder itself does not exist.
    case dataFolderMissing(path: String, origin: String)
    /// The data folder exists but one set's file is not in it.
    case setFileMissing(set: String, path: String, dataFolder: String)
    /// A name that is neither a registered set nor a suite.
    case unknownSet(name: String, known: [String])
    /// The embedder broke its contract: wrong number of vectors, mixed dimensions, NaN or ∞.
    case badEmbedding(set: String, reason: String)
    /// A report file that is not the JSON `EvalReport` writes.
    case malformedReport(path: String, reason: String)
    /// A file could not be read (not found, unreadable, invalid UTF-8, NUL byte).
    case file(FileIOError)

    public var description: String {
        switch self {
        case let .malformedLine(path, line, reason):
            return "\(path):\(line): \(reason)"
        case let .emptySet(path):
            return "\(path): no pairs (the file is empty)"
        case let .dataFolderMissing(path, origin):
            return "evaluation data folder not found: \(path) (\(origin)). "
                + "Point elsewhere with --data DIR or the environment variable \(DataFolder.environmentVariable)=DIR."
        case let .setFileMissing(set, path, dataFolder):
            return "evaluation set '\(set)': file not found: \(path) (data folder \(dataFolder)). "
                + "Point elsewhere with --data DIR or \(DataFolder.environmentVariable)=DIR."
        case let .unknownSet(name, known):
            return "unknown evaluation set or suite '\(name)'; known: \(known.joined(separator: ", "))"
        case let .badEmbedding(set, reason):
            return "evaluation set '\(set)': embedder returned \(reason)"
        case let .malformedReport(path, reason):
            return "\(path): not an evaluation report: \(reason)"
        case let .file(error):
            return error.description
        }
    }
}
