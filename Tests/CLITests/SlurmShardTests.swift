// The sharded encode on a real Slurm: Scripts/slurm-local.sh brings up a one-node cluster on
// loopback (installing Debian's slurm-wlm and munge if missing, which needs root), a job array of
// 4 encodes the 10k-sentence corpus (its first 600 lines in a debug build) with `--shard env`, `merge` joins the shards, and the result
// is byte-identical to one `encode` of the file. Then one shard's manifest is removed (a shard
// killed before it finished) and the whole array is rerun: only that shard is encoded again.

import Foundation
import Testing
import TestSupport

private let slurmProblem: String? = {
    if FileManager.default.isExecutableFile(atPath: "/usr/bin/sbatch") { return nil }
    return getuid() == 0 ? nil : "needs Debian's slurm-wlm installed, or root to install it (Scripts/slurm-local.sh does)"
}()

private let corpus = TestPaths.data.appendingPathComponent("train/stsbenchmark_train_10k_sents_random_sampled.txt")

@Suite(.serialized, .enabled(if: TestPaths.exists(TestPaths.miniLM) && TestPaths.exists(corpus),
                             "needs all-MiniLM-L6-v2 (Scripts/setup.sh) and the shared training corpora"))
struct SlurmShardTests {
    @Test(.enabled(if: slurmProblem == nil, Comment(rawValue: slurmProblem ?? "")))
    func jobArrayShardsMergeToOneEncodeAndRerunsRedoOnlyWhatFailed() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        let script = TestPaths.root.appendingPathComponent("Scripts/slurm-local.sh")
        // A cluster of its own: private folder and ports, so a developer's cluster is left alone.
        let environment = ["SLURM_LOCAL_DIR": tmp.file("slurm").path, "SLURM_LOCAL_CTLD_PORT": "16817",
                           "SLURM_LOCAL_SLURMD_PORT": "16818"]
        func slurm(_ args: [String]) throws -> CommandResult {
            try Subprocess.run(URL(fileURLWithPath: "/bin/bash"), [script.path] + args, environment: environment)
        }
        let up = try slurm(["up"])
        try #require(up.status == 0, "Scripts/slurm-local.sh up failed:\n\(up)")
        defer { _ = try? slurm(["down"]) }

        let out = tmp.file("emb.npy"), whole = tmp.file("whole.npy")
        #if DEBUG
        // A debug build embeds about 40 lines/s: its first 600 lines keep the test short there
        // (CI runs the release build on the whole file).
        let input = tmp.file("corpus.txt")
        try Data((try String(contentsOf: corpus, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            .prefix(600).joined(separator: "\n") + "\n").utf8).write(to: input)
        let rows = 600
        #else
        let input = corpus
        let rows = 10_000
        #endif
        let encode = [MirrorBERTExecutable.url.path, "encode", "--model", TestPaths.miniLM.path, "--input", input.path,
                      "--batch-size", "8"]
        let array = try slurm(["run-array", "4", "--timeout", "600", "--"] + encode + ["--output", out.path, "--shard", "env"])
        #expect(array.status == 0, "the job array failed:\n\(array)")
        let states = array.stdout.split(separator: "\n").map { $0.split(separator: " ") }
        #expect(states.count == 4 && states.allSatisfy { $0.count == 3 && $0[1] == "COMPLETED" && $0[2] == "0:0" }, "\(array.stdout)")
        let merged = try MirrorBERTExecutable.run(["merge", "--output", out.path])
        #expect(merged.status == 0 && merged.stderr.contains("merged 4 shards (\(rows) rows)"), "\(merged)")
        let single = try Subprocess.run(MirrorBERTExecutable.url, Array(encode.dropFirst()) + ["--output", whole.path])
        #expect(single.status == 0, "\(single)")
        #expect(try Data(contentsOf: out) == (try Data(contentsOf: whole)), "4 Slurm shards merged must equal one encode")

        // Shard 2 "killed": its manifest is gone. The rerun array skips 0, 1 and 3.
        let manifest = { (i: Int) in tmp.file("emb-0000\(i)-of-00004.npy.manifest.json") }
        let before = try (0..<4).map { try FileManager.default.attributesOfItem(atPath: manifest($0).path)[.modificationDate] as? Date }
        try FileManager.default.removeItem(at: manifest(2))
        let rerun = try slurm(["run-array", "4", "--timeout", "600", "--"] + encode + ["--output", out.path, "--shard", "env"])
        #expect(rerun.status == 0, "\(rerun)")
        let after = try (0..<4).map { try FileManager.default.attributesOfItem(atPath: manifest($0).path)[.modificationDate] as? Date }
        #expect(after[0] == before[0] && after[1] == before[1] && after[3] == before[3], "complete shards must be skipped")
        #expect(FileManager.default.fileExists(atPath: manifest(2).path), "the killed shard must be redone")
        #expect(try MirrorBERTExecutable.run(["merge", "--output", out.path]).status == 0)
        #expect(try Data(contentsOf: out) == (try Data(contentsOf: whole)))
        print("Slurm array:\n\(array.stdout)rerun after removing shard 2's manifest:\n\(rerun.stdout)merge: \(merged.stderr)")
    }
}
