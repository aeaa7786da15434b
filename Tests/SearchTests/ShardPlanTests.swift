// Shard plans: every line in exactly one shard, shards start on chunk boundaries, names and the
// environment (Slurm job arrays, Kubernetes Indexed Jobs) read as documented.

import Foundation
import Search
import Testing

struct ShardPlanTests {
    @Test(arguments: [(0, 7), (1, 1), (5, 32), (32, 32), (100, 32), (1000, 256), (31, 1)])
    func shardsCoverEveryLineOnceOnChunkBoundaries(lines: Int, chunk: Int) throws {
        for count in [1, 2, 3, 4, 7, 40] {
            var next = 0
            for i in 0..<count {
                let r = try Shard(index: i, count: count).lines(of: lines, chunk: chunk)
                #expect(r.lowerBound == next, "\(i)/\(count) of \(lines) lines, chunk \(chunk)")
                #expect(r.lowerBound % chunk == 0 || r.isEmpty)
                next = r.upperBound
            }
            #expect(next == lines, "\(count) shards of \(lines) lines, chunk \(chunk)")
        }
    }

    @Test func namesParsingAndEnvironment() throws {
        let shard = try Shard.parse("2/4")
        #expect(shard.index == 2 && shard.count == 4)
        #expect(shard.file(for: URL(fileURLWithPath: "/x/emb.npy")).path == "/x/emb-00002-of-00004.npy")
        for bad in ["4/4", "-1/4", "1/0", "2", "a/b", "1/2/3"] { #expect(throws: ShardError.self) { try Shard.parse(bad) } }

        let slurm = try Shard.fromEnvironment(["SLURM_ARRAY_TASK_ID": "7", "SLURM_ARRAY_TASK_MIN": "5",
                                               "SLURM_ARRAY_TASK_COUNT": "4"], count: nil)
        #expect(slurm == (try Shard(index: 2, count: 4)))
        let k8s = try Shard.fromEnvironment(["JOB_COMPLETION_INDEX": "3"], count: 8)
        #expect(k8s == (try Shard(index: 3, count: 8)))
        #expect(throws: ShardError.self) { try Shard.fromEnvironment(["JOB_COMPLETION_INDEX": "3"], count: nil) }
        #expect(throws: ShardError.self) { try Shard.fromEnvironment([:], count: nil) }
        #expect(throws: ShardError.self) { try Shard.fromEnvironment(["SLURM_ARRAY_TASK_ID": "1"], count: nil) }
        #expect(throws: ShardError.self) {
            try Shard.fromEnvironment(["SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_COUNT": "4"], count: 3)
        }
    }
}
