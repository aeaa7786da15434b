// Helpers for tests that read files: the shared data folder and temporary folders.

import Foundation
import TestSupport
@testable import Evaluation

// MARK: - Data folder and temporary files

/// The shared data folder, as the tests see it.
let dataFolder = DataFolder(url: TestPaths.data, origin: .environment)
/// True when the shared evaluation data is present (tests on real files skip otherwise).
let evalDataAvailable = FileManager.default.fileExists(atPath: TestPaths.data.appendingPathComponent("eval").path)

/// A fresh temporary folder, removed by the caller with `cleanUp`.
func makeTemporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("evaluation-tests-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Writes `text` (as UTF-8 bytes, verbatim) to `name` in `folder`.
@discardableResult
func writeFile(_ text: String, named name: String, in folder: URL) throws -> URL {
    let url = folder.appendingPathComponent(name)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(text.utf8).write(to: url)
    return url
}

