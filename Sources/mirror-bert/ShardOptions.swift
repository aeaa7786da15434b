// encode and index --shard: one contiguous, chunk-aligned piece of the input per process (Search/Shards.swift),
// for job arrays (Slurm) and Indexed Jobs (Kubernetes); `mirror-bert merge` joins the pieces.

import ArgumentParser
import Foundation
import Search

struct ShardOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Only shard I of N (0-based: 0/4 … 3/4) of the lines, or `env`.",
        discussion: "`env` reads Slurm's job array (SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN of SLURM_ARRAY_TASK_COUNT) or a Kubernetes Indexed Job's JOB_COMPLETION_INDEX (with --num-shards). The shard writes OUTPUT-0000I-of-0000N.EXT and a manifest beside it; a shard whose output matches its manifest is skipped, so rerunning the whole array redoes only what failed. `mirror-bert merge --output OUTPUT` joins them."))
    var shard: String?

    @Option(help: "The number of shards with --shard env under Kubernetes (the Indexed Job's completions).")
    var numShards: Int?

    func validate() throws {
        if numShards != nil && shard != "env" { throw ValidationError("--num-shards goes with --shard env") }
        if let shard, shard != "env" { _ = try resolve() }
    }

    /// The shard this process encodes, or nil without --shard.
    func resolve(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Shard? {
        guard let shard else { return nil }
        do {
            return shard == "env" ? try Shard.fromEnvironment(environment, count: numShards) : try Shard.parse(shard)
        } catch let error as ShardError {
            throw ValidationError(error.description)
        }
    }
}
