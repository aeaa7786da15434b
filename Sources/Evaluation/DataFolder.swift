// Where the shared data lives. Precedence: an explicit folder (the CLI's --data flag), then the
// environment variable MIRROR_BERT_DATA, then ../shared/data relative to the current directory.
// The origin is remembered so an error can say why that folder was looked in.

import Foundation

public struct DataFolder: Equatable, Sendable {
    public enum Origin: Equatable, Sendable {
        case flag, environment, defaultLocation
    }

    /// The environment variable that overrides the default location.
    public static let environmentVariable = "MIRROR_BERT_DATA"
    /// The default location, relative to the current directory.
    public static let defaultRelativePath = "../shared/data"

    /// The data folder (holding eval/, eval-extra/, train/).
    public let url: URL
    public let origin: Origin

    public init(url: URL, origin: Origin) {
        self.url = url.standardizedFileURL
        self.origin = origin
    }

    /// Resolves the folder: `flag` if given, else `$MIRROR_BERT_DATA` if set and non-empty, else
    /// `../shared/data` from `currentDirectory`.
    public static func resolve(
        flag: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        currentDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    ) -> DataFolder {
        if let flag, !flag.isEmpty {
            return DataFolder(url: absolute(flag, from: currentDirectory), origin: .flag)
        }
        if let env = environment[environmentVariable], !env.isEmpty {
            return DataFolder(url: absolute(env, from: currentDirectory), origin: .environment)
        }
        return DataFolder(url: absolute(defaultRelativePath, from: currentDirectory), origin: .defaultLocation)
    }

    /// `path` made absolute against `directory` ("~" expanded).
    static func absolute(_ path: String, from directory: URL) -> URL {
        let expanded = (path as NSString).expandingTildeInPath
        let url = expanded.hasPrefix("/") ? URL(fileURLWithPath: expanded, isDirectory: true)
            : directory.appendingPathComponent(expanded, isDirectory: true)
        return url.standardizedFileURL
    }

    /// Two folders are equal when their standardized paths and origins are.
    public static func == (l: DataFolder, r: DataFolder) -> Bool {
        l.url.path == r.url.path && l.origin == r.origin
    }

    /// Says where the folder came from, for error messages.
    public var originDescription: String {
        switch origin {
        case .flag: return "from --data"
        case .environment: return "from \(Self.environmentVariable)"
        case .defaultLocation: return "the default \(Self.defaultRelativePath) relative to the current directory"
        }
    }

    /// The file at `relativePath` inside the folder.
    public func file(_ relativePath: String) -> URL { url.appendingPathComponent(relativePath) }

    /// Throws `dataFolderMissing` unless the folder exists and is a directory.
    public func checkExists() throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw EvaluationError.dataFolderMissing(path: url.path, origin: originDescription)
        }
    }
}
