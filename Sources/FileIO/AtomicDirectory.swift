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

    // MARK: - Leftovers of killed writers

    /// Cleans up after writers in `directory` that were killed (SIGKILL, power loss) mid-write:
    /// a hidden `.<name>.partial-<pid>-<n>` folder or `.<name>.tmp-<pid>-<n>` file of a process that
    /// no longer runs is removed; a `.<name>.old-<pid>-<n>` folder (a replaced folder moved aside) is
    /// removed if `<name>` exists and renamed back to `<name>` if it does not. Entries of live
    /// processes are left alone. Returns the names it removed or restored.
    @discardableResult
    public static func recoverStale(in directory: URL) -> [String] {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: directory.path) else { return [] }
        var handled: [String] = []
        for name in names where name.hasPrefix(".") {
            guard let (base, tag, pid) = parseTemporaryName(name), pid != getpid(), !processIsAlive(pid) else { continue }
            let url = directory.appendingPathComponent(name)
            let destination = directory.appendingPathComponent(base)
            switch tag {
            case "partial", "tmp":
                if (try? fm.removeItem(at: url)) != nil { handled.append(name) }
            case "old":
                if fm.fileExists(atPath: destination.path) {
                    if (try? fm.removeItem(at: url)) != nil { handled.append(name) }
                } else if rename(url.path, destination.path) == 0 {
                    handled.append(name)
                }
            default: break
            }
        }
        return handled
    }

    /// (base name, tag, pid) of a name made by `temporarySibling`, else nil.
    static func parseTemporaryName(_ name: String) -> (String, String, pid_t)? {
        for tag in ["partial", "tmp", "old"] {
            guard let r = name.range(of: ".\(tag)-", options: .backwards) else { continue }
            let base = String(name[name.index(after: name.startIndex)..<r.lowerBound])
            let parts = name[r.upperBound...].split(separator: "-")
            guard !base.isEmpty, parts.count == 2, let pid = pid_t(parts[0]), Int(parts[1]) != nil, pid > 0 else { continue }
            return (base, tag, pid)
        }
        return nil
    }
}

/// False only when no process `pid` exists (kill(pid, 0) fails with ESRCH).
func processIsAlive(_ pid: pid_t) -> Bool {
    kill(pid, 0) == 0 || errno != ESRCH
}
