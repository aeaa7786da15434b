// Where tests find things: the repository root (from this file's path, so `swift test` works from
// any directory), committed fixtures, the shared data folder and the default model.

import Foundation

public enum TestPaths {
    /// The repository root.
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A committed fixture under Tests/Fixtures/.
    public static func fixture(_ relative: String) -> URL {
        root.appendingPathComponent("Tests/Fixtures").appendingPathComponent(relative)
    }

    /// The shared data folder: $MIRROR_BERT_DATA, else ../shared/data beside the checkout.
    public static var data: URL {
        if let env = ProcessInfo.processInfo.environment["MIRROR_BERT_DATA"], !env.isEmpty {
            return URL(fileURLWithPath: env)
        }
        return root.deletingLastPathComponent().appendingPathComponent("shared/data")
    }

    /// The default model folder that Scripts/setup.sh fetches (models/all-MiniLM-L6-v2).
    public static let miniLM: URL = root.appendingPathComponent("models/all-MiniLM-L6-v2")

    /// True if `url` exists.
    public static func exists(_ url: URL) -> Bool { FileManager.default.fileExists(atPath: url.path) }
}
