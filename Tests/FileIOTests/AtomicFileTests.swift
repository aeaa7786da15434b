import Foundation
import Testing
@testable import FileIO

@Suite struct AtomicFileTests {
    @Test func writesANewFile() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("out.bin")
        try AtomicFile.write(Data([1, 2, 3]), to: url)
        #expect(try Data(contentsOf: url) == Data([1, 2, 3]))
        #expect(try listing(dir) == ["out.bin"])
    }

    @Test func replacesAnExistingFile() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("out.txt")
        try Data("a much longer old content".utf8).write(to: url)
        try AtomicFile.write(Data("new".utf8), to: url)
        #expect(try Data(contentsOf: url) == Data("new".utf8))
        #expect(try listing(dir) == ["out.txt"])
    }

    @Test func streamsThroughTheBody() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("stream.bin")
        let floats: [Float] = [1, -2.5, .infinity]
        try AtomicFile.write(to: url) { fd, path in
            #expect(path == url.path)
            try [UInt8]([7, 8]).withUnsafeBytes { try AtomicFile.writeAll(fd: fd, $0, path: path) }
            try floats.withUnsafeBufferPointer { try AtomicFile.writeAllLittleEndian(fd: fd, $0, path: path) }
        }
        var expected: [UInt8] = [7, 8]
        for f in floats { withUnsafeBytes(of: f.bitPattern.littleEndian) { expected += $0 } }
        #expect(try Data(contentsOf: url) == Data(expected))
    }

    @Test func throwingBodyLeavesNothingNew() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fresh = dir.appendingPathComponent("fresh.bin")
        #expect(throws: TestFailure.self) {
            try AtomicFile.write(to: fresh) { fd, path in
                try [UInt8](repeating: 1, count: 100).withUnsafeBytes { try AtomicFile.writeAll(fd: fd, $0, path: path) }
                throw TestFailure()
            }
        }
        #expect(try listing(dir) == [])

        let existing = dir.appendingPathComponent("existing.bin")
        try Data("keep".utf8).write(to: existing)
        #expect(throws: TestFailure.self) {
            try AtomicFile.write(to: existing) { _, _ in throw TestFailure() }
        }
        #expect(try Data(contentsOf: existing) == Data("keep".utf8))
        #expect(try listing(dir) == ["existing.bin"])
    }

    @Test func missingFolderIsAnErrorNamingTheFile() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("no/such/dir/out.bin")
        do {
            try AtomicFile.write(Data([1]), to: url)
            Issue.record("expected an error")
        } catch let FileIOError.cannotWrite(path, reason) {
            #expect(path == url.path && !reason.isEmpty)
        }
    }
}
