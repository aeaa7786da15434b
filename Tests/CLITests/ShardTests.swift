// `encode --shard I/N` and `merge` end to end on a tiny model: merged shards are byte-identical to
// one encode, a complete shard is skipped, a damaged or missing one is named, `--shard env` reads
// Slurm's array variables.

import FileIO
import Foundation
import Testing
import TestSupport

@Suite(.enabled(if: TestPaths.exists(TestPaths.miniLM), "run Scripts/setup.sh to fetch all-MiniLM-L6-v2"))
struct ShardTests {
    /// 70 lines, batch size 2: chunks of 32 lines, so 3 shards take 32, 32 and 6 lines.
    func setUp(_ tmp: TemporaryDirectory) throws -> (model: URL, input: URL) {
        let (model, _, _) = try TinyTrainingFixture.make(in: tmp, sets: [])
        let input = tmp.file("in.txt")
        let lines = (0..<70).map { i in i % 9 == 0 ? "" : TinyTrainingFixture.corpus[i % 40] + " \(i)" }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: input)
        return (model, input)
    }

    func encode(_ model: URL, _ input: URL, _ output: URL, _ extra: [String] = [],
                environment: [String: String] = [:]) throws -> CommandResult {
        try MirrorBERTExecutable.run(["encode", "--model", model.path, "--input", input.path, "--output", output.path,
                                      "--batch-size", "2"] + extra, environment: environment)
    }

    @Test(arguments: ["npy", "jsonl"])
    func mergedShardsEqualOneEncode(ext: String) throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        let (model, input) = try setUp(tmp)
        let whole = tmp.file("whole.\(ext)"), out = tmp.file("out.\(ext)")
        #expect(try encode(model, input, whole).status == 0)
        for i in 0..<3 {
            let r = try encode(model, input, out, ["--shard", "\(i)/3"])
            #expect(r.status == 0 && r.stderr.contains("shard \(i)/3"), "\(r)")
        }
        let merged = try MirrorBERTExecutable.run(["merge", "--output", out.path])
        #expect(merged.status == 0 && merged.stderr.contains("merged 3 shards (70 rows)"), "\(merged)")
        #expect(try Data(contentsOf: out) == (try Data(contentsOf: whole)), "merged shards must equal one encode, byte for byte")
    }

    @Test func completeShardsAreSkippedDamagedOnesRedoneMissingOnesNamed() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        let (model, input) = try setUp(tmp)
        let out = tmp.file("out.npy")
        let shard1 = tmp.file("out-00001-of-00003.npy")
        for i in [0, 1] { #expect(try encode(model, input, out, ["--shard", "\(i)/3"]).status == 0) }
        let missing = try MirrorBERTExecutable.run(["merge", "--output", out.path])
        #expect(missing.status != 0 && missing.stderr.contains("shards 2/3 of out.npy have no manifest"), "\(missing)")
        #expect(!FileManager.default.fileExists(atPath: out.path))

        let again = try encode(model, input, out, ["--shard", "1/3"])
        #expect(again.status == 0 && again.stderr.contains("is complete"), "\(again)")
        // Damage shard 1: merge names it; rerunning it redoes it (not skipped).
        var bytes = try Data(contentsOf: shard1)
        bytes[bytes.count - 1] ^= 0xFF
        try bytes.write(to: shard1)
        #expect(try encode(model, input, out, ["--shard", "2/3"]).status == 0)
        let damaged = try MirrorBERTExecutable.run(["merge", "--output", out.path])
        #expect(damaged.status != 0 && damaged.stderr.contains("rerun shard 1/3"), "\(damaged)")
        let redo = try encode(model, input, out, ["--shard", "1/3"])
        #expect(redo.status == 0 && !redo.stderr.contains("is complete"), "\(redo)")
        #expect(try MirrorBERTExecutable.run(["merge", "--output", out.path]).status == 0)

        // A shard made with other options is not part of the same job.
        let other = try encode(model, input, out, ["--shard", "2/3", "--max-length", "16"])
        #expect(other.status == 0 && !other.stderr.contains("is complete"))
        let mixed = try MirrorBERTExecutable.run(["merge", "--output", out.path])
        #expect(mixed.status != 0 && mixed.stderr.contains("another job"), "\(mixed)")
    }

    @Test func shardEnvReadsSlurmsArray() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        let (model, input) = try setUp(tmp)
        let out = tmp.file("out.npy")
        let r = try encode(model, input, out, ["--shard", "env"], environment: [
            "SLURM_ARRAY_TASK_ID": "11", "SLURM_ARRAY_TASK_MIN": "10", "SLURM_ARRAY_TASK_COUNT": "3"])
        #expect(r.status == 0 && FileManager.default.fileExists(atPath: tmp.file("out-00001-of-00003.npy").path), "\(r)")
        let none = try encode(model, input, out, ["--shard", "env"])
        #expect(none.status != 0 && none.stderr.contains("SLURM_ARRAY_TASK_ID"), "\(none)")
    }
}
