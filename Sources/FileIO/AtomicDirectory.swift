// A folder written as a whole (a model, a checkpoint): filled under a temporary sibling name and
// renamed into place by `commit()`. If a folder of that name exists it is moved aside first and
// removed only after the new one is in place, so at every instant one complete folder exists
// (under the destination name or, for an instant, under the `.old` name).

#if canImport(Glibc)
import Glibc
#endif
import Foundation

public final class AtomicDirectory {
    /// Where the folder will be once committed.
    public let destination: URL
    /// Where to write its files until then.
    public let staging: URL
    private var committed = false

    /// Creates the staging folder next to `destination` (creating the parent if needed).
    public init(destination: URL) throws {
        self.destination = destination.standardizedFileURL
        let parent = self.destination.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        } catch {
            throw FileIOError.cannotWrite(path: parent.path, reason: "\(error.localizedDescription)")
        }
        staging = temporarySibling(of: self.destination, tag: "partial")
        guard mkdir(staging.path, 0o755) == 0 else {
            throw FileIOError.cannotWrite(path: staging.path, reason: errnoString())
        }
    }

    /// The URL of `name` inside the staging folder.
    public func file(_ name: String) -> URL { staging.appendingPathComponent(name) }

    /// fsyncs the staged files and renames the folder into place.
    public func commit() throws {
        precondition(!committed, "AtomicDirectory committed twice")
        let fm = FileManager.default
        if let names = try? fm.contentsOfDirectory(atPath: staging.path) {
            for n in names { fsyncPath(staging.appendingPathComponent(n).path) }
        }
        fsyncPath(staging.path)
        var old: URL? = nil
        if fm.fileExists(atPath: destination.path) {
            let aside = temporarySibling(of: destination, tag: "old")
            guard rename(destination.path, aside.path) == 0 else {
                throw FileIOError.cannotRename(from: destination.path, to: aside.path, reason: errnoString())
            }
            old = aside
        }
        guard rename(staging.path, destination.path) == 0 else {
            let reason = errnoString()
            if let old { _ = rename(old.path, destination.path) }
            throw FileIOError.cannotRename(from: staging.path, to: destination.path, reason: reason)
        }
        fsyncPath(destination.deletingLastPathComponent().path)
        committed = true
        if let old { try? fm.removeItem(at: old) }
    }

    /// Removes the staging folder (a failed run leaves nothing behind).
    public func discard() {
        if !committed { try? FileManager.default.removeItem(at: staging) }
    }

    deinit { discard() }
}
