import Foundation
import Testing
@testable import FileIO

@Suite struct AtomicDirectoryTests {
    @Test func stagingIsAHiddenSibling() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let dest = dir.appendingPathComponent("model")
        let staged = try AtomicDirectory(destination: dest)
        defer { staged.discard() }
        #expect(staged.staging.deletingLastPathComponent().path == dest.deletingLastPathComponent().standardizedFileURL.path)
        #expect(staged.staging.lastPathComponent.hasPrefix(".model."))
        var isDir: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: staged.staging.path, isDirectory: &isDir) && isDir.boolValue)
        #expect(staged.file("config.json").deletingLastPathComponent().path == staged.staging.path)
        #expect(!FileManager.default.fileExists(atPath: dest.path))
    }

    @Test func commitMovesTheFolderIntoPlace() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let dest = dir.appendingPathComponent("nested/parent/model")  // parents are created
        let staged = try AtomicDirectory(destination: dest)
        try AtomicFile.write(Data("{}".utf8), to: staged.file("config.json"))
        try Data([1, 2]).write(to: staged.file("weights.bin"))
        try staged.commit()
        #expect(try listing(dest) == ["config.json", "weights.bin"])
        #expect(try listing(dest.deletingLastPathComponent()) == ["model"])
    }

    @Test func commitReplacesAnExistingFolder() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let dest = dir.appendingPathComponent("model")
        try FileManager.default.createDirectory(at: dest, withIntermediateDirectories: true)
        try Data("old".utf8).write(to: dest.appendingPathComponent("stale.txt"))
        try Data("old".utf8).write(to: dest.appendingPathComponent("config.json"))
        let staged = try AtomicDirectory(destination: dest)
        try Data("new".utf8).write(to: staged.file("config.json"))
        try staged.commit()
        #expect(try listing(dest) == ["config.json"])
        #expect(try Data(contentsOf: dest.appendingPathComponent("config.json")) == Data("new".utf8))
        #expect(try listing(dir) == ["model"])  // neither the staging nor the ".old" folder remains
        staged.discard()  // after commit: does nothing
        #expect(try listing(dest) == ["config.json"])
    }

    @Test func discardLeavesNothing() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let staged = try AtomicDirectory(destination: dir.appendingPathComponent("model"))
        try Data([1]).write(to: staged.file("partial.bin"))
        staged.discard()
        #expect(try listing(dir) == [])
    }

    @Test func droppingWithoutCommitLeavesNothing() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        func failingRun() throws {
            let staged = try AtomicDirectory(destination: dir.appendingPathComponent("model"))
            try Data([1]).write(to: staged.file("partial.bin"))
            throw TestFailure()
        }
        #expect(throws: TestFailure.self) { try failingRun() }
        #expect(try listing(dir) == [])
    }
}
