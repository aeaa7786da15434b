// The JSON request bodies and state files: the server's and TEI's requests, trainer_state.json
// and a sharded encode's manifest.

import Foundation
import Models
import Search
import Server
import Training

extension FuzzTargets {
    static func serverJSON() -> FuzzTarget {
        let seeds = [
            #"{"input": "A man is playing a guitar.", "model": "all-MiniLM-L6-v2", "encoding_format": "base64"}"#,
            #"{"input": ["one", "two", "three"], "dimensions": 384, "user": "u"}"#,
            #"{"pairs": [["a", "b"], ["c", "d"]], "model": null}"#,
            #"{"query": ["guitar", "piano"], "k": 3}"#,
            #"{"query": "x", "k": 1000}"#,
        ].map { Array($0.utf8) }
        return requests("server-json", seeds: seeds, endpoints: [.embeddings, .similarity, .search])
    }

    static func teiJSON() -> FuzzTarget {
        // The bodies of TEI's own README and client (router/src/http/types.rs), one per route.
        let seeds = [
            #"{"inputs": "What is Deep Learning?", "normalize": true, "truncate": false}"#,
            #"{"inputs": ["a", "b"], "dimensions": 8, "truncation_direction": "right", "prompt_name": null}"#,
            #"{"inputs": {"source_sentence": "What is Deep Learning?", "sentences": ["x", "y"]}, "parameters": {"truncate": true}}"#,
            #"{"inputs": "test", "add_special_tokens": false, "prompt_name": "query"}"#,
            #"{"ids": [101, 7592, 102], "skip_special_tokens": false}"#,
            #"{"ids": [[101, 102], [101, 2000, 102]]}"#,
        ].map { Array($0.utf8) }
        return requests("tei-json", seeds: seeds, endpoints: [.teiEmbed, .teiEmbedAll, .teiSimilarity, .teiTokenize, .teiDecode])
    }

    /// Every body goes to each of `endpoints`: what one route refuses another may read.
    static func requests(_ name: String, seeds: [[UInt8]], endpoints: [RequestParsing.Endpoint]) -> FuzzTarget {
        FuzzTarget(name: name, seeds: seeds, maxSize: 1 << 16, dictionaries: ["json", "requests"]) { input in
            var errors = 0
            for endpoint in endpoints {
                do { try RequestParsing.check(Data(input), endpoint: endpoint) } catch { errors += 1 }
            }
            if errors == endpoints.count { throw FuzzRejected.byEveryEndpoint }
        }
    }

    static func trainerState() -> FuzzTarget {
        var o = TrainOptions.defaults(for: .sentence)
        o.maskToken = "[MASK]"
        let state = TrainerState(
            position: TrainingPosition(step: 5, epoch: 1, batch: 1, augmentationState: (1, 2, 3, 0xFFFF_FFFF_FFFF_FFFF)),
            totalSteps: 12, parameterCount: 1234, options: o, corpusPath: "corpus.txt", corpusExamples: 40,
            corpusFingerprint: 0xDEAD_BEEF, model: "models/x", output: "runs/y")
        let seeds = (try? TrainingCheckpoint.encode(state)).map { [[UInt8]($0)] } ?? []
        return FuzzTarget(name: "trainer-state", seeds: seeds, maxSize: 1 << 16, dictionaries: ["json", "trainer-state"]) { input in
            _ = try TrainingCheckpoint.decode(Data(input), path: "trainer_state.json")
        }
    }

    /// The manifest of shard 0 of 1 beside its output, read the way `merge` reads it: the
    /// manifest is decoded and checked against the shard's file name, the line ranges and the
    /// output's size and XXH64 (a 3-row output, written once; the seeds describe it exactly).
    static func shardManifest(_ root: URL) -> FuzzTarget {
        let scratch = ScratchFolder()
        let output = scratch.file("out.npy")
        let shard = try? Shard(index: 0, count: 1)
        let shardOutput = shard.map { $0.file(for: output) } ?? output
        let manifestURL = ShardManifest.url(for: shardOutput)
        var seeds: [[UInt8]] = []
        if let shard, (try? Data("three rows of output\n".utf8).write(to: shardOutput)) != nil {
            for options in ["pooling mean-masked max-length 128 precision fp32", ""] {
                let work = ShardManifest(shard: shard, inputLines: 3, inputBytes: 12, lines: 0..<3, model: seedModel,
                                         options: options, threads: 2)
                if let m = try? work.describing(shardOutput), (try? m.write(to: manifestURL)) != nil,
                   let bytes = try? Data(contentsOf: manifestURL) {
                    seeds.append([UInt8](bytes))
                }
            }
        }
        return FuzzTarget(name: "shard-manifest", seeds: seeds, maxSize: 1 << 16, dictionaries: ["json", "shard-manifest"]) { input in
            try Data(input).write(to: manifestURL)
            // Holding `scratch` here keeps the folder for as long as the target lives.
            let manifests = try withExtendedLifetime(scratch) { try ShardMerge.manifests(for: output) }
            _ = ShardManifest.isComplete(shardOutput, work: manifests[0])
        }
    }
}
