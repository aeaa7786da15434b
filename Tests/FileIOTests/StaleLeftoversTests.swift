// What a writer killed mid-write leaves (hidden staging folders, temporary files, a folder moved
// aside) is recognised by name and cleaned up once its process is gone; a live writer's is not.

import Foundation
import Testing
@testable import FileIO

@Suite struct StaleLeftoversTests {
    /// A pid that no process has (the kernel's limit is below 2^22 by default).
    static let deadPid: Int32 = {
        var pid: Int32 = 4_000_000
        while kill(pid, 0) == 0 || errno != ESRCH { pid += 1 }
        return pid
    }()

    @Test func namesAreParsed() {
        #expect(AtomicDirectory.parseTemporaryName(".step-000002.partial-13238-14")! == ("step-000002", "partial", 13238))
        #expect(AtomicDirectory.parseTemporaryName(".out.npy.tmp-7-1")! == ("out.npy", "tmp", 7))
        #expect(AtomicDirectory.parseTemporaryName(".model.old-9-3")! == ("model", "old", 9))
        #expect(AtomicDirectory.parseTemporaryName(".hidden") == nil)
        #expect(AtomicDirectory.parseTemporaryName(".x.partial-abc-1") == nil)
    }

    @Test func deadWritersLeftoversAreRemovedOrRestored() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fm = FileManager.default
        let dead = Self.deadPid, live = getpid()
        try fm.createDirectory(at: dir.appendingPathComponent(".step-000002.partial-\(dead)-1"), withIntermediateDirectories: true)
        try Data([1]).write(to: dir.appendingPathComponent(".step-000002.partial-\(dead)-1/model.safetensors"))
        try Data([1]).write(to: dir.appendingPathComponent(".out.npy.tmp-\(dead)-2"))
        try fm.createDirectory(at: dir.appendingPathComponent(".model.old-\(dead)-3"), withIntermediateDirectories: true)
        try fm.createDirectory(at: dir.appendingPathComponent(".kept.partial-\(live)-4"), withIntermediateDirectories: true)
        let handled = AtomicDirectory.recoverStale(in: dir).sorted()
        #expect(handled == [".model.old-\(dead)-3", ".out.npy.tmp-\(dead)-2", ".step-000002.partial-\(dead)-1"])
        // The folder moved aside had no replacement yet: it is put back under its name.
        #expect(try listing(dir) == [".kept.partial-\(live)-4", "model"])
    }
}
