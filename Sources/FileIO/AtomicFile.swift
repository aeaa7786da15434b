// Crash-safe writes: every file the tool produces is written to a temporary name in the
// destination's directory, fsynced, then renamed over the destination (rename(2) is atomic on
// one file system), and the directory is fsynced so the rename itself survives a crash.
// A failed or interrupted write therefore leaves either the old file or nothing, never half a file.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Errors from reading or writing files, each naming the path it concerns.
public enum FileIOError: Error, CustomStringConvertible, Equatable {
    case cannotOpen(path: String, reason: String)
    case cannotWrite(path: String, reason: String)
    case cannotRename(from: String, to: String, reason: String)
    case notFound(path: String)
    case notADirectory(path: String)
    case invalidUTF8(path: String, line: Int)
    case nulByte(path: String, line: Int)
    case empty(path: String)
    case lineTooLong(path: String, line: Int, limit: Int)

    public var description: String {
        switch self {
        case let .cannotOpen(path, reason): return "\(path): cannot open: \(reason)"
        case let .cannotWrite(path, reason): return "\(path): cannot write: \(reason)"
        case let .cannotRename(from, to, reason): return "cannot rename \(from) to \(to): \(reason)"
        case let .notFound(path): return "\(path): no such file or directory"
        case let .notADirectory(path): return "\(path): not a directory"
        case let .invalidUTF8(path, line): return "\(path):\(line): invalid UTF-8"
        case let .nulByte(path, line): return "\(path):\(line): contains a NUL byte"
        case let .empty(path): return "\(path): file is empty"
        case let .lineTooLong(path, line, limit): return "\(path):\(line): line is longer than \(limit) bytes"
        }
    }
}

func errnoString() -> String { String(cString: strerror(errno)) }

/// fsync a file or directory by path (directories: makes a rename in it durable).
func fsyncPath(_ path: String) {
    let fd = open(path, O_RDONLY)
    if fd >= 0 {
        _ = fsync(fd)
        close(fd)
    }
}

/// A name in `directory` that no other writer uses: `.<base>.<tag>-<pid>-<counter>`.
func temporarySibling(of url: URL, tag: String) -> URL {
    let n = temporaryCounter.next()
    let name = ".\(url.lastPathComponent).\(tag)-\(getpid())-\(n)"
    return url.deletingLastPathComponent().appendingPathComponent(name)
}

private final class Counter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()
    func next() -> Int { lock.lock(); defer { lock.unlock() }; value += 1; return value }
}
private let temporaryCounter = Counter()

public enum AtomicFile {
    /// Writes `data` to `url` atomically: temporary sibling, fsync, rename, fsync of the directory.
    public static func write(_ data: Data, to url: URL) throws {
        try write(to: url) { fd, path in
            try data.withUnsafeBytes { raw in try writeAll(fd: fd, raw, path: path) }
        }
    }

    /// Writes through `body(fd, path)`, which may call `writeAll` any number of times; `fd` is a
    /// temporary sibling file and `path` the destination's path (for error messages). The
    /// destination appears only if `body` returns without throwing; otherwise the temporary file
    /// is removed and the destination is left as it was.
    public static func write(to url: URL, _ body: (Int32, String) throws -> Void) throws {
        let tmp = temporarySibling(of: url, tag: "tmp")
        let fd = open(tmp.path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else { throw FileIOError.cannotWrite(path: url.path, reason: errnoString()) }
        do {
            try body(fd, url.path)
            guard fsync(fd) == 0 else { throw FileIOError.cannotWrite(path: url.path, reason: errnoString()) }
        } catch {
            close(fd)
            unlink(tmp.path)
            throw error
        }
        guard close(fd) == 0 else {  // NFS and friends report write errors at close
            let reason = errnoString()
            unlink(tmp.path)
            throw FileIOError.cannotWrite(path: url.path, reason: reason)
        }
        guard rename(tmp.path, url.path) == 0 else {
            let reason = errnoString()
            unlink(tmp.path)
            throw FileIOError.cannotRename(from: tmp.path, to: url.path, reason: reason)
        }
        fsyncPath(url.deletingLastPathComponent().path)
    }

    /// Writes every byte of `bytes` to `fd`, retrying short writes.
    public static func writeAll(fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let n = systemWrite(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw FileIOError.cannotWrite(path: path, reason: errnoString())
            }
            offset += n
        }
    }

    /// Writes `floats` to `fd` as little-endian binary32 (the bytes themselves on little-endian
    /// hosts; converted a block at a time otherwise).
    public static func writeAllLittleEndian(fd: Int32, _ floats: UnsafeBufferPointer<Float>, path: String) throws {
        try withLittleEndianBytes(floats) { try writeAll(fd: fd, $0, path: path) }
    }

    /// Calls `body` one or more times with consecutive pieces of `floats` as little-endian bytes.
    public static func withLittleEndianBytes(
        _ floats: UnsafeBufferPointer<Float>, _ body: (UnsafeRawBufferPointer) throws -> Void
    ) rethrows {
        if 1.littleEndian == 1 {
            try body(UnsafeRawBufferPointer(floats))
            return
        }
        let block = 16_384
        var chunk = [UInt32](repeating: 0, count: block)
        var start = 0
        while start < floats.count {
            let n = min(block, floats.count - start)
            for i in 0..<n { chunk[i] = floats[start + i].bitPattern.littleEndian }
            try chunk.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<(4 * n)])) }
            start += n
        }
    }
}

/// write(2), whichever C library provides it.
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(fd, buffer, count)
    #elseif canImport(Musl)
    return Musl.write(fd, buffer, count)
    #else
    return Darwin.write(fd, buffer, count)
    #endif
}
