// Crash safety and resume, end to end on a tiny model: a resumed run reaches bit-identical weights
// to an uninterrupted one; SIGINT saves a resumable checkpoint and exits 130; SIGKILL in the middle
// of a checkpoint save leaves the previous checkpoint intact, loadable and resumable, and the
// half-written one is never taken for a checkpoint.

import FileIO
import Foundation
import Models
import Testing
import TestSupport
@testable import Training
#if canImport(Glibc)
import Glibc
#endif

@Suite(.enabled(if: TestPaths.exists(TestPaths.miniLM), "run Scripts/setup.sh to fetch all-MiniLM-L6-v2"))
struct ResumeAndSignalTests {
    static let corpus = (0..<40).map { i in
        "sentence \(i) about topic \(i % 7): a man plays the \(["guitar", "piano", "drums", "violin"][i % 4]) in the park"
    }

    func setUp(_ tmp: TemporaryDirectory) throws -> (model: URL, corpus: URL) {
        let model = tmp.file("tiny")
        try TinyModelFactory.make(at: model, tokenizerFrom: TestPaths.miniLM, vocabSize: 30522)
        let corpus = tmp.file("corpus.txt")
        try Data((Self.corpus.joined(separator: "\n") + "\n").utf8).write(to: corpus)
        return (model, corpus)
    }

    /// Span masking (sentence mode), drophead, held-out monitoring and several epochs: every kind
    /// of state a resume must restore.
    func trainArgs(_ model: URL, _ corpus: URL, _ out: URL, epochs: Int) -> [String] {
        ["train", "--model", model.path, "--corpus", corpus.path, "--output", out.path, "--batch-size", "8",
         "--max-length", "24", "--drophead", "0.1", "--held-out", "0.1", "--monitor-every", "3",
         "--epochs", "\(epochs)", "--seed", "7"]
    }

    func weights(_ dir: URL) throws -> Data { try Data(contentsOf: dir.appendingPathComponent("model.safetensors")) }

    func steps(_ dir: URL) throws -> [Int] {
        let log = try String(contentsOf: dir.appendingPathComponent("train_log.jsonl"), encoding: .utf8)
        return log.split(separator: "\n").compactMap { line in
            let r = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return r?["loss"] != nil ? r?["step"] as? Int : nil
        }
    }

    @Test func resumedRunIsBitIdenticalToAnUninterruptedOne() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        let (model, corpus) = try setUp(tmp)
        let a = tmp.file("a"), b = tmp.file("b"), c = tmp.file("c"), d = tmp.file("d")
        // 36 training lines in batches of 8: 4 steps an epoch, 12 in all.
        var r = try MirrorBERTExecutable.run(trainArgs(model, corpus, a, epochs: 3))
        #expect(r.status == 0, "\(r)")
        r = try MirrorBERTExecutable.run(trainArgs(model, corpus, b, epochs: 3) + ["--save-every", "5"])
        #expect(r.status == 0, "\(r)")
        #expect(try weights(a) == weights(b), "saving checkpoints must not change the run")
        let checkpoints = URL(fileURLWithPath: b.path + "-checkpoints")
        let names = try FileManager.default.contentsOfDirectory(atPath: checkpoints.path).sorted()
        #expect(names == ["step-000005", "step-000010"], "\(names)")
        for name in names {
            for file in ["model.safetensors", "optimizer.safetensors", "trainer_state.json", "train_log.jsonl", "config.json"] {
                #expect(FileManager.default.fileExists(atPath: checkpoints.appendingPathComponent("\(name)/\(file)").path))
            }
        }
        // From step 5 (mid-epoch 2: the span-mask generator is mid-stream) to a new output folder.
        r = try MirrorBERTExecutable.run(["train", "--resume", checkpoints.appendingPathComponent("step-000005").path,
                                          "--output", c.path])
        #expect(r.status == 0, "\(r)")
        #expect(r.stderr.contains("resuming") && r.stderr.contains("at step 5"), "\(r)")
        #expect(try weights(c) == weights(a), "resumed from step 5: weights must equal the uninterrupted run's")
        #expect(try steps(c) == Array(1...12), "the log continues the checkpoint's")
        // The checkpoints folder resumes from its latest step (10, an epoch boundary is 8 and 12).
        r = try MirrorBERTExecutable.run(["train", "--resume", checkpoints.path, "--output", d.path])
        #expect(r.status == 0 && r.stderr.contains("at step 10"), "\(r)")
        #expect(try weights(d) == weights(a), "resumed from step 10: weights must equal the uninterrupted run's")
        // Options come from the checkpoint; a different one is refused, naming it.
        r = try MirrorBERTExecutable.run(["train", "--resume", checkpoints.path, "--output", d.path, "--lr", "1e-3"])
        #expect(r.status != 0 && r.stderr.contains("lr"), "\(r)")
        // Another corpus is refused.
        let other = tmp.file("other.txt")
        try Data((Self.corpus.reversed().joined(separator: "\n") + "\n").utf8).write(to: other)
        r = try MirrorBERTExecutable.run(["train", "--resume", checkpoints.path, "--output", d.path, "--corpus", other.path])
        #expect(r.status != 0 && r.stderr.contains("not the corpus"), "\(r)")
    }

    /// A checkpoint whose trainer_state.json the previous release wrote (version 1: the seed as 16
    /// hex digits, Floats widened to Double, keys sorted, via JSONSerialization) still resumes to
    /// the same weights; the refusal of a differing flag names the flag and both values.
    @Test func versionOneCheckpointsStillResume() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        let (model, corpus) = try setUp(tmp)
        let a = tmp.file("a"), b = tmp.file("b"), c = tmp.file("c")
        var r = try MirrorBERTExecutable.run(trainArgs(model, corpus, a, epochs: 2))
        #expect(r.status == 0, "\(r)")
        r = try MirrorBERTExecutable.run(trainArgs(model, corpus, b, epochs: 2) + ["--save-every", "3"])
        #expect(r.status == 0, "\(r)")
        let step3 = URL(fileURLWithPath: b.path + "-checkpoints").appendingPathComponent("step-000003")
        let stateURL = step3.appendingPathComponent("trainer_state.json")
        var state = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: stateURL)) as? [String: Any])
        var options = try #require(state["options"] as? [String: Any])
        #expect(options["tau"] as? Double == 0.04 && options["seed"] as? Int == 7, "v2 writes numbers as given: \(options)")
        let seed = String(try #require(options["seed"] as? Int), radix: 16)
        options["seed"] = String(repeating: "0", count: 16 - seed.count) + seed
        for key in ["tau", "dropout", "drophead"] { options[key] = Double(Float(try #require(options[key] as? Double))) }
        state["options"] = options
        state["version"] = 1
        try JSONSerialization.data(withJSONObject: state, options: [.prettyPrinted, .sortedKeys]).write(to: stateURL)
        #expect(try String(contentsOf: stateURL, encoding: .utf8).contains("0.0399999991"))

        r = try MirrorBERTExecutable.run(["train", "--resume", step3.path, "--output", c.path])
        #expect(r.status == 0, "\(r)")
        #expect(try weights(c) == weights(a), "resumed from a version 1 state: weights must equal the uninterrupted run's")
        r = try MirrorBERTExecutable.run(["train", "--resume", step3.path, "--output", c.path, "--batch-size", "4", "--tau", "0.1"])
        #expect(r.status != 0 && r.stderr.contains("--batch-size 4 (checkpoint: 8)") && r.stderr.contains("--tau 0.1 (checkpoint: 0.04)"),
                "\(r)")
        state["version"] = 3
        try JSONSerialization.data(withJSONObject: state).write(to: stateURL)
        r = try MirrorBERTExecutable.run(["train", "--resume", step3.path, "--output", c.path])
        #expect(r.status != 0 && r.stderr.contains("version 3"), "\(r)")
    }

    @Test func sigintSavesAResumableCheckpointAndExits130() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        let (model, corpus) = try setUp(tmp)
        let full = tmp.file("full"), out = tmp.file("out"), resumed = tmp.file("resumed")
        let epochs = 60  // 240 steps: long enough to be interrupted
        let p = try SpawnedProcess.mirrorBERT(trainArgs(model, corpus, out, epochs: epochs) + ["--save-every", "2"], logs: tmp.url)
        let checkpoints = URL(fileURLWithPath: out.path + "-checkpoints")
        let started = waitUntil(timeout: 120) {
            FileManager.default.fileExists(atPath: checkpoints.appendingPathComponent("step-000002").path)
        }
        #expect(started, "no checkpoint at step 2: \(p.stderr)")
        p.send(SIGINT)
        let exit = p.wait()
        #expect(exit.status == 130, "\(exit)\n\(p.stderr)")
        #expect(p.stderr.contains("resume with: mirror-bert train --resume"), "\(p.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path), "an interrupted run writes no final model")
        let latest = try TrainingCheckpoint.locate(checkpoints)
        let state = try TrainingCheckpoint.readState(latest)
        #expect(state.position.step >= 2 && state.position.step < 4 * epochs)
        #expect(p.stderr.contains(latest.path), "the message names the checkpoint: \(p.stderr)")

        var r = try MirrorBERTExecutable.run(["train", "--resume", checkpoints.path, "--output", resumed.path])
        #expect(r.status == 0, "\(r)")
        r = try MirrorBERTExecutable.run(trainArgs(model, corpus, full, epochs: epochs))
        #expect(r.status == 0, "\(r)")
        #expect(try weights(resumed) == weights(full),
                "interrupted at step \(state.position.step) and resumed: weights must equal the uninterrupted run's")
    }

    @Test func sigkillDuringASaveLeavesThePreviousCheckpointIntact() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        let (model, corpus) = try setUp(tmp)
        let out = tmp.file("out"), resumed = tmp.file("resumed"), full = tmp.file("full")
        let checkpoints = URL(fileURLWithPath: out.path + "-checkpoints")
        // Each save pauses 2 s with every file staged, just before the rename that publishes it.
        let p = try SpawnedProcess.mirrorBERT(trainArgs(model, corpus, out, epochs: 3) + ["--save-every", "1"],
                                              environment: ["MIRROR_BERT_TEST_PAUSE_BEFORE_COMMIT": "2"], logs: tmp.url)
        func partials() -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: checkpoints.path)) ?? []).filter { $0.contains(".partial-") }
        }
        let inSecondSave = waitUntil(timeout: 120) {
            FileManager.default.fileExists(atPath: checkpoints.appendingPathComponent("step-000001").path)
                && partials().contains { $0.hasPrefix(".step-000002.") }
                && FileManager.default.fileExists(atPath: checkpoints.appendingPathComponent(partials().first { $0.hasPrefix(".step-000002.") } ?? "x")
                    .appendingPathComponent("trainer_state.json").path)
        }
        #expect(inSecondSave, "never caught the second save in progress: \(p.stderr)")
        p.send(SIGKILL)
        let exit = p.wait()
        #expect(exit.signal == SIGKILL, "\(exit)")

        // The previous checkpoint is complete: it loads as a model and as trainer state.
        let step1 = checkpoints.appendingPathComponent("step-000001")
        let loaded = try Checkpoint.load(step1)
        #expect(loaded.encoder.layout.totalCount > 0)
        #expect(try TrainingCheckpoint.readState(step1).position.step == 1)
        // The half-written one is hidden, and is never chosen or accepted.
        let partial = try #require(partials().first)
        #expect(try TrainingCheckpoint.locate(checkpoints) == step1)
        #expect(!FileManager.default.fileExists(atPath: checkpoints.appendingPathComponent("step-000002").path))
        let refused = try MirrorBERTExecutable.run(["train", "--resume", checkpoints.appendingPathComponent(partial).path])
        #expect(refused.status != 0 && refused.stderr.contains("cut short"), "\(refused)")

        // Resuming cleans the leftover up and reaches the uninterrupted run's weights.
        var r = try MirrorBERTExecutable.run(["train", "--resume", checkpoints.path, "--output", resumed.path])
        #expect(r.status == 0 && r.stderr.contains("cleaned up \(partial)"), "\(r)")
        #expect(partials().isEmpty)
        r = try MirrorBERTExecutable.run(trainArgs(model, corpus, full, epochs: 3))
        #expect(r.status == 0, "\(r)")
        #expect(try weights(resumed) == weights(full))
        print("SIGKILL during the save of step 2: step-000001 intact and loadable, \(partial) ignored and cleaned up; "
              + "resumed run bit-identical to an uninterrupted one")
    }
}
