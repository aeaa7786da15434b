// Errors for checkpoint folders, configs and parameter files; each names the file it concerns.

public enum ModelError: Error, CustomStringConvertible, Equatable {
    case missingFile(path: String, what: String)
    case invalidConfig(path: String, reason: String)
    case unsupported(path: String, what: String)
    case missingParameter(path: String, name: String)
    case unexpectedParameter(path: String, name: String)
    case shapeMismatch(path: String, name: String, expected: [Int], found: [Int])
    case invalidInput(String)

    public var description: String {
        switch self {
        case let .missingFile(path, what): return "\(path): missing \(what)"
        case let .invalidConfig(path, reason): return "\(path): invalid config: \(reason)"
        case let .unsupported(path, what): return "\(path): unsupported \(what)"
        case let .missingParameter(path, name): return "\(path): missing parameter '\(name)'"
        case let .unexpectedParameter(path, name): return "\(path): unexpected parameter '\(name)' (not part of this architecture)"
        case let .shapeMismatch(path, name, expected, found):
            return "\(path): parameter '\(name)' has shape \(found), expected \(expected) from config.json"
        case let .invalidInput(message): return message
        }
    }
}
